// Reads CONTENT_DIR into a ContentState. Re-running load() re-reads only files whose size, mtime or
// inode changed, and reuses the same Article objects for the rest, so a reload among 10,000 files is cheap
// and callers can tell what changed by identity.

import { promises as fsp, statSync, fstatSync, lstatSync, openSync, readSync, closeSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import type { Diagnostic } from './diagnostic.js';
import type { Article, Entry, Page } from './model.js';
import { aliasKey, parseEntry, type ParseResult } from './parseEntry.js';

export interface LoaderOptions {
  readonly contentDir: string;
  readonly publicDir: string;
  readonly timezone: string;
  readonly maxBytes: number;
  /**
   * Keep the last good version of a file that becomes invalid (the running server does; `npm run check`
   * and a fresh start do not, so a broken file is never first published in a broken state).
   */
  readonly keepLastGood?: boolean;
}

export interface ContentState {
  /** Valid articles, drafts and scheduled ones included, at most one per slug. */
  readonly articles: readonly Article[];
  readonly pages: readonly Page[];
  readonly diagnostics: readonly Diagnostic[];
  /** Number of Markdown files seen. */
  readonly files: number;
  /**
   * CONTENT_DIR itself was missing (e.g. deleted to be re-created): the state is the previous one (or empty),
   * so a running server can keep serving instead of swapping to an empty site.
   */
  readonly rootMissing?: boolean;
}

/** From the file watcher: only these files (paths relative to CONTENT_DIR) changed since the last load. */
export interface LoadHint {
  readonly changed: ReadonlySet<string>;
}

interface CacheEntry {
  key: string;
  /** Image paths the file's front matter asked about, found or not, so adding a missing photo re-parses it. */
  images: readonly string[];
  imageKey: string;
  result: ParseResult;
  lastGood?: Entry;
}

/** What loading one file gave: its entry when valid (or its last good version), and its problems. */
export interface FileResult {
  readonly entry?: Entry;
  readonly diagnostics: readonly Diagnostic[];
}

/** One worker's share of a first load (see loadPart): the files it parsed, by place in the scan and path, and what each gave. */
export interface LoadedPart {
  readonly index: number;
  readonly count: number;
  /** Each file's place in the scan's list. */
  readonly at: readonly number[];
  readonly rels: readonly string[];
  readonly results: readonly FileResult[];
}

export class ContentChangedError extends Error {
  constructor() {
    super('the content changed while the export was reading it; run the export again');
    this.name = 'ContentChangedError';
  }
}

const MAX_DEPTH = 32;

/** A Markdown file found by a scan; `linked` when reached through a symbolic link. */
interface ScanEntry {
  readonly rel: string;
  readonly full: string;
  readonly linked: boolean;
}
const CONCURRENCY = 64;
let readBuffer = Buffer.allocUnsafeSlow(256 * 1024);

/** Names the loader never treats as content: hidden, underscore-prefixed, editors' temporary files. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.endsWith('~') || name === '4913' || name.startsWith('#');
}

export class ContentLoader {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly imageCache = new Map<string, { key: string; size: { width: number; height: number } | undefined }>();
  private previous: ContentState | undefined;
  /** The last scan of CONTENT_DIR and the warnings it gave (see sameFiles). */
  private scanned: { files: ScanEntry[]; diagnostics: readonly Diagnostic[] } | undefined;
  /** The last assembly, kept so a reload that changed a few files can reuse it (see reassemble). */
  private assembled:
    | { results: readonly { rel: string; entry?: Entry }[]; state: ContentState; conflicts: readonly Diagnostic[]; links: readonly Diagnostic[]; slugs: ReadonlySet<string> }
    | undefined;

  /** The scan loadPart made (files undefined: CONTENT_DIR is missing), for combine. */
  private partScan: { files: ScanEntry[] | undefined; diagnostics: readonly Diagnostic[] } | undefined;

  constructor(readonly options: LoaderOptions) {}

  /** Width and height of public/<src>, or undefined when it is missing, not an image, or outside public/. */
  imageInfo = (src: string): { width: number; height: number } | undefined => {
    const root = this.options.publicDir;
    let decoded: string;
    try {
      decoded = decodeURIComponent(src);
    } catch {
      return undefined;
    }
    const full = path.resolve(root, `.${decoded}`);
    if (!full.startsWith(root + path.sep)) return undefined;
    let st;
    try {
      st = statSync(full);
      if (!st.isFile()) return undefined;
      const real = realpathSync(full);
      if (!real.startsWith(realpathSync(root) + path.sep)) return undefined;
    } catch {
      return undefined;
    }
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const hit = this.imageCache.get(full);
    if (hit && hit.key === key) return hit.size;
    let size: { width: number; height: number } | undefined;
    try {
      // Image headers sit at the start of the file; reading 512 KiB covers JPEGs with large EXIF blocks.
      const fd = openSync(full, 'r');
      const buf = Buffer.alloc(Math.min(st.size, 512 * 1024));
      readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
      const dim = imageSize(buf);
      size = dim.width && dim.height ? { width: dim.width, height: dim.height } : undefined;
    } catch {
      size = undefined;
    }
    this.imageCache.set(full, { key, size });
    return size;
  };

  /**
   * With a hint, files not named in it are taken from the cache without a stat (a reload among 10,000 files
   * then costs a directory listing, not 10,000 stats); files reached through symbolic links are always checked.
   */
  async load(hint?: LoadHint): Promise<ContentState> {
    const root = this.options.contentDir;
    const diagnostics: Diagnostic[] = [];
    let files = this.sameFiles(hint, diagnostics);
    if (!files) {
      files = await this.scan(root, diagnostics);
      this.scanned = files && { files, diagnostics: [...diagnostics] };
    }
    if (files === undefined) {
      // Keep the cache: when the folder comes back, unchanged files keep their identity.
      const prev = this.previous ?? { articles: [], pages: [], diagnostics: [], files: 0 };
      return { ...prev, diagnostics, rootMissing: true };
    }
    const seen = new Set<string>();
    const results: { rel: string; entry?: Entry }[] = [];

    // Files the hint says are unchanged come from the cache synchronously; the rest are read in batches.
    const loaded: (FileResult | undefined)[] = files.map((f) => {
      const known = hint !== undefined && !f.linked && !hint.changed.has(f.rel) ? this.cache.get(f.rel) : undefined;
      return known ? this.withLastGood(known) : undefined;
    });
    const toRead = files.flatMap((f, i) => (loaded[i] ? [] : [i]));
    for (let i = 0; i < toRead.length; i += CONCURRENCY) {
      const batch = toRead.slice(i, i + CONCURRENCY);
      const done = await Promise.all(batch.map((k) => this.loadFile(files[k]!.rel, files[k]!.full)));
      for (const [j, r] of done.entries()) loaded[batch[j]!] = r;
    }
    for (const [i, f] of files.entries()) {
      const r = loaded[i]!;
      seen.add(f.rel);
      for (const d of r.diagnostics) diagnostics.push(d);
      results.push(r.entry ? { rel: f.rel, entry: r.entry } : { rel: f.rel });
    }
    for (const rel of [...this.cache.keys()]) if (!seen.has(rel)) this.cache.delete(rel);

    const state = this.assemble(results, diagnostics, files.length);
    this.previous = state;
    return state;
  }

  /**
   * One share of a first load, for the export's workers, which split the parsing between them: the scan
   * (every worker makes the same one), then the files it takes from the shared `claim` counter, or else
   * every `count`-th of the scan's files from `index`, read and parsed.
   * Each worker sends its part to the others (see siteSnapshot.ts), and `combine` joins them all.
   */
  async loadPart(index: number, count: number, claim?: Int32Array): Promise<LoadedPart> {
    const diagnostics: Diagnostic[] = [];
    const files = await this.scan(this.options.contentDir, diagnostics);
    this.scanned = files && { files, diagnostics: [...diagnostics] };
    this.partScan = { files, diagnostics };
    const n = files?.length ?? 0;
    // With a counter the workers share, each takes the next file not yet taken: a worker on a core that
    // something else is using parses fewer, and none waits long for the others' parts. Without one, every
    // count-th file from index.
    let own = index - count;
    const next = claim ? (): number => Atomics.add(claim, 0, 1) : (): number => (own += count);
    const at: number[] = [];
    const rels: string[] = [];
    const results: FileResult[] = [];
    for (let i = next(); i < n; i = next()) {
      const f = files![i]!;
      at.push(i);
      rels.push(f.rel);
      results.push(await this.loadFile(f.rel, f.full));
    }
    return { index, count, at, rels, results };
  }

  /**
   * The state `load()` would give, from the parts of every worker (this loader's own among them), each
   * checked against this loader's scan: a part made from another list of files, or parts that leave a file
   * out or take one twice, mean that the content changed between the workers' scans, and the export must
   * be run again.
   */
  combine(parts: readonly LoadedPart[]): ContentState {
    const scan = this.partScan;
    if (!scan) throw new Error('combine() needs this loader\'s own loadPart() first');
    const byIndex = new Map(parts.map((p) => [p.index, p]));
    if (byIndex.size !== parts.length || parts.some((p) => p.count !== parts.length)) throw new Error('combine() needs one part from each worker');
    if (!scan.files) {
      if (parts.some((p) => p.rels.length > 0)) throw new ContentChangedError();
      return { articles: [], pages: [], diagnostics: scan.diagnostics, files: 0, rootMissing: true };
    }
    const files = scan.files;
    const slots = new Array<FileResult | undefined>(files.length);
    for (const p of parts) {
      for (const [j, i] of p.at.entries()) {
        if (!(i < files.length) || slots[i] !== undefined || files[i]!.rel !== p.rels[j]) throw new ContentChangedError();
        slots[i] = p.results[j];
      }
    }
    const diagnostics: Diagnostic[] = [...scan.diagnostics];
    const results: { rel: string; entry?: Entry }[] = [];
    for (const [i, f] of files.entries()) {
      const r = slots[i];
      if (r === undefined) throw new ContentChangedError();
      for (const d of r.diagnostics) diagnostics.push(d);
      results.push(r.entry ? { rel: f.rel, entry: r.entry } : { rel: f.rel });
    }
    const state = this.assemble(results, diagnostics, files.length);
    this.previous = state;
    return state;
  }

  /**
   * The last scan's list, when the hint names only files that were in it and still are regular files: an
   * edit then costs no directory listing (10,000 entries). A new, deleted or replaced file, or anything the
   * watcher could not name, lists the folders again.
   */
  private sameFiles(hint: LoadHint | undefined, diagnostics: Diagnostic[]): ScanEntry[] | undefined {
    const last = this.scanned;
    if (!hint || !last) return undefined;
    for (const rel of hint.changed) {
      if (!this.cache.has(rel)) return undefined;
      if (!lstatSync(path.join(this.options.contentDir, rel), { throwIfNoEntry: false })?.isFile()) return undefined;
    }
    diagnostics.push(...last.diagnostics);
    return last.files;
  }

  private async loadFile(rel: string, full: string): Promise<FileResult> {
    if (!this.cache.has(rel)) return this.loadFresh(rel, full);
    let st;
    try {
      st = await fsp.stat(full);
    } catch (cause) {
      // Deleted between the scan and now: treated as gone.
      return { diagnostics: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? [] : [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
    }
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const cached = this.cache.get(rel);
    if (cached && cached.key === key && cached.imageKey === this.imageKeyOf(cached.images)) {
      return this.withLastGood(cached);
    }
    if (st.size > this.options.maxBytes) return this.parsed(rel, key, undefined, cached, this.tooBig(rel, st.size));
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(full);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { diagnostics: [] };
      return { diagnostics: [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
    }
    return this.parsed(rel, key, bytes, cached);
  }

  private tooBig(rel: string, size: number): ParseResult {
    return { diagnostics: [whole(rel, 'file', `file is ${size} bytes, over the MAX_ARTICLE_BYTES limit of ${this.options.maxBytes}`)] };
  }

  /**
   * A file not seen before (every file at start-up): read with the synchronous calls on one descriptor
   * (open, fstat, read, close). The promise API costs several times their CPU (1.4 s against 0.25 s for
   * 10,000 files), a separate stat by path a second path lookup, and start-up waits for all of it anyway.
   */
  private loadFresh(rel: string, full: string): FileResult {
    let fd: number;
    try {
      fd = openSync(full, 'r');
    } catch (cause) {
      // Deleted between the scan and now: treated as gone.
      return { diagnostics: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? [] : [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
    }
    try {
      const st = fstatSync(fd);
      const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
      if (st.size > this.options.maxBytes) return this.parsed(rel, key, undefined, undefined, this.tooBig(rel, st.size));
      // Read into one reused buffer: parseEntry keeps nothing of the bytes it is given (it decodes them),
      // and a fresh buffer per file cost more than the read itself.
      if (st.size > readBuffer.length) readBuffer = Buffer.allocUnsafeSlow(Math.max(st.size, readBuffer.length * 2));
      let length = 0;
      for (let n = 1; length < st.size && n > 0; length += n) n = readSync(fd, readBuffer, length, st.size - length, length);
      return this.parsed(rel, key, readBuffer.subarray(0, length), undefined);
    } catch (cause) {
      return { diagnostics: [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
    } finally {
      closeSync(fd);
    }
  }

  /** Parses `bytes` (or records `failed`) as the new cache entry for `rel`. */
  private parsed(rel: string, key: string, bytes: Buffer | undefined, cached: CacheEntry | undefined, failed?: ParseResult): FileResult {
    const kind = rel.startsWith('pages/') ? 'page' : 'article';
    const images: string[] = [];
    // The loader asks about each image twice (while parsing, then for the cache key): look each up once.
    const sizes = new Map<string, { width: number; height: number } | undefined>();
    const imageInfo = (src: string): { width: number; height: number } | undefined => {
      images.push(src);
      if (!sizes.has(src)) sizes.set(src, this.imageInfo(src));
      return sizes.get(src);
    };
    const result = failed ?? parseEntry(rel, bytes!, { timezone: this.options.timezone, maxBytes: this.options.maxBytes, imageInfo }, kind);
    const entry: CacheEntry = { key, images, imageKey: this.imageKeyOf(images, sizes), result };
    // Unchanged content keeps its object identity, so "what changed" stays exact after a touch or a git checkout.
    const prev = cached?.result.entry ?? cached?.lastGood;
    if (result.entry && prev && sameEntry(prev, result.entry)) entry.result = { ...result, entry: prev };
    if (entry.result.entry) entry.lastGood = entry.result.entry;
    else if (cached?.lastGood && this.options.keepLastGood) entry.lastGood = cached.lastGood;
    this.cache.set(rel, entry);
    return this.withLastGood(entry);
  }

  private withLastGood(c: CacheEntry): FileResult {
    if (c.result.entry) return c.result;
    if (this.options.keepLastGood && c.lastGood) return { entry: c.lastGood, diagnostics: c.result.diagnostics };
    return c.result;
  }

  /** Changes when any image the file refers to appears, disappears or changes size. */
  private imageKeyOf(images: readonly string[], known?: ReadonlyMap<string, { width: number; height: number } | undefined>): string {
    return images
      .map((src) => {
        const size = known?.has(src) ? known.get(src) : this.imageInfo(src);
        return size ? `${src}=${size.width}x${size.height}` : `${src}=missing`;
      })
      .join('|');
  }

  private async scan(root: string, diagnostics: Diagnostic[]): Promise<ScanEntry[] | undefined> {
    const out: { rel: string; full: string; linked: boolean }[] = [];
    let realRoot: string;
    const missing = (): undefined => {
      diagnostics.push(whole('.', 'file', `CONTENT_DIR ${path.basename(root)} does not exist or cannot be read`));
      return undefined;
    };
    try {
      realRoot = await fsp.realpath(root);
    } catch {
      return missing();
    }
    const visited = new Set<string>([realRoot]);
    let rootGone = false;
    const walk = async (dir: string, rel: string, depth: number, linked: boolean): Promise<void> => {
      if (depth > MAX_DEPTH) return;
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        if (depth === 0) rootGone = true;
        return; // removed while scanning: the next reload sees the final state
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of entries) {
        if (isIgnoredName(d.name)) continue;
        const relPath = rel ? `${rel}/${d.name}` : d.name;
        const full = path.join(dir, d.name);
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          let real: string;
          try {
            real = await fsp.realpath(full);
          } catch {
            continue; // dangling link
          }
          if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
            if (d.name.endsWith('.md') || !d.name.includes('.')) diagnostics.push({ ...whole(relPath, 'file', 'is a symbolic link to a place outside CONTENT_DIR; not read'), severity: 'warning' });
            continue;
          }
          const st = await fsp.stat(real).catch(() => undefined);
          isDir = st?.isDirectory() ?? false;
          isFile = st?.isFile() ?? false;
          if (isDir && visited.has(real)) continue;
          if (isDir) visited.add(real);
        }
        if (isDir) await walk(full, relPath, depth + 1, linked || d.isSymbolicLink());
        else if (isFile && d.name.toLowerCase().endsWith('.md') && d.name.toLowerCase() !== 'readme.md') {
          // pages/ at the top level holds pages; anywhere else, .md files are articles.
          if (relPath.startsWith('pages/') && relPath.split('/').length > 2) continue;
          out.push({ rel: relPath, full, linked: linked || d.isSymbolicLink() });
        }
      }
    };
    await walk(root, '', 0, false);
    return rootGone ? missing() : out;
  }

  /** Cross-file rules: one owner per slug and alias; internal links checked against published slugs. */
  private assemble(results: { rel: string; entry?: Entry }[], diagnostics: Diagnostic[], fileCount: number): ContentState {
    const quick = this.reassemble(results, diagnostics, fileCount);
    if (quick) return quick;
    const prevOwner = new Map<string, string>();
    for (const a of this.previous?.articles ?? []) prevOwner.set(a.slug, a.file);
    for (const p of this.previous?.pages ?? []) prevOwner.set(`page:${p.slug}`, p.file);

    const conflicts: Diagnostic[] = [];
    const bySlug = new Map<string, Entry>();
    const claims = new Map<string, { key: string; entry: Entry }[]>();
    for (const r of results) {
      if (!r.entry) continue;
      const key = r.entry.kind === 'page' ? `page:${r.entry.slug}` : r.entry.slug;
      const list = claims.get(key) ?? [];
      list.push({ key, entry: r.entry });
      claims.set(key, list);
    }
    for (const [key, list] of claims) {
      const owner = list.find((c) => c.entry.file === prevOwner.get(key)) ?? list[0]!;
      bySlug.set(key, owner.entry);
      for (const other of list) {
        if (other === owner) continue;
        conflicts.push(whole(other.entry.file, 'slug', `"${other.entry.slug}" is already used by ${owner.entry.file}; this file is not published`));
      }
    }

    const articles: Article[] = [];
    const pages: Page[] = [];
    const urls = new Map<string, string>(); // path key -> file that answers it
    for (const e of bySlug.values()) urls.set(aliasKey(e.url), e.file);
    for (const e of [...bySlug.values()].sort((a, b) => (a.file < b.file ? -1 : 1))) {
      if (e.kind === 'page') {
        pages.push(e);
        continue;
      }
      let ok = true;
      for (const alias of e.aliases) {
        const owner = urls.get(alias);
        if (owner !== undefined && owner !== e.file) {
          conflicts.push(whole(e.file, 'aliases', `alias "${alias}" is already the address or an alias of ${owner}; this file is not published`));
          ok = false;
        }
      }
      if (!ok) continue;
      for (const alias of e.aliases) urls.set(alias, e.file);
      articles.push(e);
    }
    const slugs = new Set(articles.map((a) => a.slug));
    const links = articles.flatMap((a) => linkWarnings(a, slugs));
    diagnostics.push(...conflicts, ...links);
    const state = { articles, pages, diagnostics, files: fileCount };
    this.assembled = { results, state, conflicts, links, slugs };
    return state;
  }

  /**
   * The common reload, in time proportional to the files that changed: the same files as last time, each
   * either the same entry or a new version with the same kind, slug and aliases of an entry that was
   * published. Nothing cross-file can have changed then but the changed articles' own link warnings.
   * Anything else (a file added, removed, renamed, invalid, or changing its slug) takes the full path.
   */
  private reassemble(results: { rel: string; entry?: Entry }[], diagnostics: Diagnostic[], fileCount: number): ContentState | undefined {
    const last = this.assembled;
    if (!last || last.results.length !== results.length) return undefined;
    const changed: [Entry, Entry][] = [];
    for (let i = 0; i < results.length; i++) {
      const before = last.results[i]!;
      const after = results[i]!;
      if (before.rel !== after.rel) return undefined;
      if (before.entry === after.entry) continue;
      const b = before.entry;
      const a = after.entry;
      if (!a || !b || a.kind !== b.kind || a.slug !== b.slug) return undefined;
      if (a.kind === 'article' && b.kind === 'article' && (a.aliases.length !== b.aliases.length || a.aliases.some((x, j) => x !== b.aliases[j]))) return undefined;
      changed.push([b, a]);
      if (changed.length > 64) return undefined; // a bulk change: the full path is as fast
    }
    const articles = [...last.state.articles];
    const pages = [...last.state.pages];
    const files = new Set<string>();
    for (const [b, a] of changed) {
      const list: Entry[] = a.kind === 'article' ? articles : pages;
      const at = list.indexOf(b);
      if (at === -1) return undefined; // it lost a slug or alias to another file: let the full path decide
      list[at] = a;
      files.add(a.file);
    }
    const links = last.links.filter((d) => !files.has(d.path));
    for (const [, a] of changed) if (a.kind === 'article') links.push(...linkWarnings(a, last.slugs));
    diagnostics.push(...last.conflicts, ...links);
    const state = { articles, pages, diagnostics, files: fileCount };
    this.assembled = { ...last, results, state, links };
    return state;
  }
}

/** Warnings for links to /articles/<slug>/ that is not a published article. */
function linkWarnings(a: Article, slugs: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const link of a.links) {
    if (slugs.has(link)) continue;
    const idx = a.body.indexOf(`/articles/${link}`);
    const line = a.bodyLine + (idx < 0 ? 0 : (a.body.slice(0, idx).match(/\n/g)?.length ?? 0));
    out.push({ path: a.file, line, column: 1, field: 'body', severity: 'warning', message: `links to /articles/${link}/, which is not a published article` });
  }
  return out;
}

function whole(rel: string, field: string, message: string): Diagnostic {
  return { path: rel, line: 1, column: 1, field, severity: 'error', message };
}

/** Same published content (parsing the same bytes twice gives equal fields). */
function sameEntry(a: Entry, b: Entry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
