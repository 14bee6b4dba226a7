// Reads CONTENT_DIR into a ContentState. Re-running load() re-reads only files whose size, mtime or
// inode changed, and reuses the same Article objects for the rest, so a reload among 10,000 files is cheap
// and callers can tell what changed by identity.

import { promises as fsp, statSync, openSync, readSync, closeSync, realpathSync } from 'node:fs';
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
}

interface CacheEntry {
  key: string;
  imageKey: string;
  result: ParseResult;
  lastGood?: Entry;
}

const MAX_DEPTH = 32;
const CONCURRENCY = 64;

/** Names the loader never treats as content: hidden, underscore-prefixed, editors' temporary files. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.endsWith('~') || name === '4913' || name.startsWith('#');
}

export class ContentLoader {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly imageCache = new Map<string, { key: string; size: { width: number; height: number } | undefined }>();
  private previous: ContentState | undefined;

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

  async load(): Promise<ContentState> {
    const root = this.options.contentDir;
    const diagnostics: Diagnostic[] = [];
    const files = await this.scan(root, diagnostics);
    const seen = new Set<string>();
    const results: { rel: string; entry?: Entry }[] = [];

    for (let i = 0; i < files.length; i += CONCURRENCY) {
      const batch = files.slice(i, i + CONCURRENCY);
      const done = await Promise.all(batch.map((f) => this.loadFile(f.rel, f.full)));
      for (const [j, r] of done.entries()) {
        const rel = batch[j]!.rel;
        seen.add(rel);
        diagnostics.push(...r.diagnostics);
        results.push({ rel, ...(r.entry ? { entry: r.entry } : {}) });
      }
    }
    for (const rel of [...this.cache.keys()]) if (!seen.has(rel)) this.cache.delete(rel);

    const state = this.assemble(results, diagnostics, files.length);
    this.previous = state;
    return state;
  }

  private async loadFile(rel: string, full: string): Promise<{ entry?: Entry; diagnostics: readonly Diagnostic[] }> {
    let st;
    try {
      st = await fsp.stat(full);
    } catch (cause) {
      // Deleted between the scan and now: treated as gone.
      return { diagnostics: (cause as NodeJS.ErrnoException).code === 'ENOENT' ? [] : [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
    }
    const key = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const cached = this.cache.get(rel);
    if (cached && cached.key === key && cached.imageKey === this.imageKeyOf(cached.result.entry ?? cached.lastGood)) {
      return this.withLastGood(cached);
    }
    const kind = rel.startsWith('pages/') ? 'page' : 'article';
    let result: ParseResult;
    if (st.size > this.options.maxBytes) {
      result = { diagnostics: [whole(rel, 'file', `file is ${st.size} bytes, over the MAX_ARTICLE_BYTES limit of ${this.options.maxBytes}`)] };
    } else {
      let bytes: Buffer;
      try {
        bytes = await fsp.readFile(full);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { diagnostics: [] };
        result = { diagnostics: [whole(rel, 'file', `could not be read (${(cause as Error).message})`)] };
        return result;
      }
      result = parseEntry(rel, bytes, { timezone: this.options.timezone, maxBytes: this.options.maxBytes, imageInfo: this.imageInfo }, kind);
    }
    const entry: CacheEntry = { key, imageKey: this.imageKeyOf(result.entry), result };
    // Unchanged content keeps its object identity, so "what changed" stays exact after a touch or a git checkout.
    const prev = cached?.result.entry ?? cached?.lastGood;
    if (result.entry && prev && sameEntry(prev, result.entry)) entry.result = { ...result, entry: prev };
    if (entry.result.entry) entry.lastGood = entry.result.entry;
    else if (cached?.lastGood && this.options.keepLastGood) entry.lastGood = cached.lastGood;
    this.cache.set(rel, entry);
    return this.withLastGood(entry);
  }

  private withLastGood(c: CacheEntry): { entry?: Entry; diagnostics: readonly Diagnostic[] } {
    if (c.result.entry) return c.result;
    if (this.options.keepLastGood && c.lastGood) return { entry: c.lastGood, diagnostics: c.result.diagnostics };
    return c.result;
  }

  private imageKeyOf(entry: Entry | undefined): string {
    if (!entry || entry.kind !== 'article') return '';
    // The declared src is not kept when the file was missing, so re-check by the article's file only if it had one.
    const src = entry.image?.src;
    if (!src) return entry.image ? 'declared' : '';
    const size = this.imageInfo(src);
    return size ? `${size.width}x${size.height}` : 'missing';
  }

  private async scan(root: string, diagnostics: Diagnostic[]): Promise<{ rel: string; full: string }[]> {
    const out: { rel: string; full: string }[] = [];
    let realRoot: string;
    try {
      realRoot = await fsp.realpath(root);
    } catch {
      diagnostics.push(whole('.', 'file', `CONTENT_DIR ${path.basename(root)} does not exist or cannot be read`));
      return out;
    }
    const visited = new Set<string>([realRoot]);
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) return;
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
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
        if (isDir) await walk(full, relPath, depth + 1);
        else if (isFile && d.name.toLowerCase().endsWith('.md') && d.name.toLowerCase() !== 'readme.md') {
          // pages/ at the top level holds pages; anywhere else, .md files are articles.
          if (relPath.startsWith('pages/') && relPath.split('/').length > 2) continue;
          out.push({ rel: relPath, full });
        }
      }
    };
    await walk(root, '', 0);
    return out;
  }

  /** Cross-file rules: one owner per slug and alias; internal links checked against published slugs. */
  private assemble(results: { rel: string; entry?: Entry }[], diagnostics: Diagnostic[], fileCount: number): ContentState {
    const prevOwner = new Map<string, string>();
    for (const a of this.previous?.articles ?? []) prevOwner.set(a.slug, a.file);
    for (const p of this.previous?.pages ?? []) prevOwner.set(`page:${p.slug}`, p.file);

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
        diagnostics.push(whole(other.entry.file, 'slug', `"${other.entry.slug}" is already used by ${owner.entry.file}; this file is not published`));
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
          diagnostics.push(whole(e.file, 'aliases', `alias "${alias}" is already the address or an alias of ${owner}; this file is not published`));
          ok = false;
        }
      }
      if (!ok) continue;
      for (const alias of e.aliases) urls.set(alias, e.file);
      articles.push(e);
    }
    const slugs = new Set(articles.map((a) => a.slug));
    for (const a of articles) {
      for (const link of a.links) {
        if (slugs.has(link)) continue;
        const idx = a.body.indexOf(`/articles/${link}`);
        const line = a.bodyLine + (idx < 0 ? 0 : (a.body.slice(0, idx).match(/\n/g)?.length ?? 0));
        diagnostics.push({ path: a.file, line, column: 1, field: 'body', severity: 'warning', message: `links to /articles/${link}/, which is not a published article` });
      }
    }
    return { articles, pages, diagnostics, files: fileCount };
  }
}

function whole(rel: string, field: string, message: string): Diagnostic {
  return { path: rel, line: 1, column: 1, field, severity: 'error', message };
}

/** Same published content (parsing the same bytes twice gives equal fields). */
function sameEntry(a: Entry, b: Entry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
