// One content file in, one validated Article or Page (or diagnostics) out. No I/O here:
// the caller reads the bytes and says which images exist, so this is testable with literal input.

import { parseSiteDate, type SiteDate } from '../dates.js';
import { countWords, internalArticleLinks, plainExcerpt } from '../markdown.js';
import { SLUG_RE, slugify } from '../slug.js';
import type { Diagnostic } from './diagnostic.js';
import { ownCopy } from '../ownCopy.js';
import { decodeContent, parseFrontMatter, type FrontMatter } from './frontMatter.js';
import { checkMarkdownBudget } from './markdownBudget.js';
import type { Article, Correction, Entry, FeatureImage, Page } from './model.js';

export interface ParseContext {
  readonly timezone: string;
  readonly maxBytes: number;
  /** Width and height of a file under public/, or undefined when there is no such file. */
  readonly imageInfo: (src: string) => { width: number; height: number } | undefined;
}

export interface ParseResult {
  readonly entry?: Entry;
  readonly diagnostics: readonly Diagnostic[];
}

const ARTICLE_FIELDS = new Set([
  'title', 'date', 'author', 'publisher', 'summary', 'tags', 'updated', 'image', 'source', 'canonical', 'slug', 'draft', 'noindex', 'id', 'aliases', 'corrections',
]);
const PAGE_FIELDS = new Set(['title', 'summary', 'order', 'slug', 'draft', 'noindex']);
const IMAGE_FIELDS = new Set(['src', 'alt', 'caption', 'credit']);
const SOURCE_FIELDS = new Set(['name', 'url']);

// C0/C1 controls (tab and newline are fine in long text) and bidirectional overrides/isolates,
// which can make a headline read differently from what it says.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BIDI_RE = /[\u202a-\u202e\u2066-\u2069]/;

/** The first path segment of a page slug must not shadow a route the site itself answers. */
export const RESERVED_PAGE_SLUGS = new Set([
  'articles', 'tags', 'authors', 'page', 'assets', 'images', 'feed', 'feed.xml', 'atom.xml', 'feed.json', 'sitemap', 'sitemap.xml', 'news-sitemap.xml', 'robots.txt',
  'healthz', 'readyz', 'well-known', 'favicon.ico', 'favicon.svg', 'style.css', 'search', 'api', 'pages', 'draft', 'preview',
]);

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly path: string,
    private readonly fm: FrontMatter,
  ) {}

  /** Problems with a value point at the value; unknown fields and missing ones at the (parent) key. */
  report(keys: readonly (string | number)[], message: string, severity: 'error' | 'warning' = 'error', target: 'key' | 'value' = 'value'): void {
    const p = this.fm.position(keys, target);
    const field = keys.filter((k) => typeof k === 'string').join('.') || 'yaml';
    this.diagnostics.push({ path: this.path, line: p.line, column: p.column, field, severity, message });
  }

  get ok(): boolean {
    return !this.diagnostics.some((d) => d.severity === 'error');
  }

  text(keys: readonly (string | number)[], value: unknown, opts: { max?: number; required?: boolean; multiline?: boolean } = {}): string | undefined {
    if (value === undefined || value === null) {
      if (opts.required) this.report(keys, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.report(keys, `must be text, not ${describe(value)}`);
      return undefined;
    }
    const s = String(value).trim();
    if (opts.required && s === '') {
      this.report(keys, 'must not be empty');
      return undefined;
    }
    if (opts.max !== undefined && s.length > opts.max) {
      this.report(keys, `is ${s.length} characters long; the limit is ${opts.max}`);
      return undefined;
    }
    if (CONTROL_RE.test(opts.multiline ? s.replace(/[\t\n]/g, ' ') : s) || (!opts.multiline && /[\t\n]/.test(s) && keys[0] === 'title')) {
      this.report(keys, 'contains control characters');
      return undefined;
    }
    if (BIDI_RE.test(s)) {
      this.report(keys, 'contains invisible bidirectional control characters');
      return undefined;
    }
    return s === '' ? undefined : s;
  }

  date(keys: readonly (string | number)[], value: unknown, tz: string, required = false): SiteDate | undefined {
    if (value === undefined || value === null) {
      if (required) this.report(keys, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.report(keys, `must be a date such as 2024-03-22 or 2024-03-22T09:30:00+01:00, not ${describe(value)}`);
      return undefined;
    }
    const d = parseSiteDate(value, tz);
    if (!d) this.report(keys, `"${value.slice(0, 60)}" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)`);
    return d;
  }

  bool(keys: readonly (string | number)[], value: unknown): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') {
      this.report(keys, `must be true or false, not ${describe(value)}`);
      return false;
    }
    return value;
  }

  url(keys: readonly (string | number)[], value: unknown): string | undefined {
    const s = this.text(keys, value, { max: 2000 });
    if (s === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      this.report(keys, `"${s.slice(0, 80)}" is not an absolute http(s) URL`);
      return undefined;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) {
      this.report(keys, `"${s.slice(0, 80)}" is not an absolute http(s) URL`);
      return undefined;
    }
    return u.href;
  }

  list(keys: readonly (string | number)[], value: unknown): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report(keys, `must be a list, not ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  mapping(keys: readonly (string | number)[], value: unknown, known: Set<string>): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.report(keys, `must be a mapping of fields, not ${describe(value)}`);
      return undefined;
    }
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!known.has(k)) this.report([...keys, k], `unknown field "${k}" is ignored`, 'warning', 'key');
    return rec;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text "${value.slice(0, 40)}"`;
  return `${typeof value} ${String(value)}`;
}

/** A site-relative path to a public file or old URL: starts with one "/", no scheme, no "..", nothing odd. */
function isSitePath(s: string): boolean {
  return s.startsWith('/') && !s.startsWith('//') && !/[\\\s?#<>"'`]/.test(s) && !s.split('/').some((seg) => seg === '..' || seg === '.') && !/%(2e|2f|5c|00)/i.test(s);
}

function baseSlug(relPath: string): string {
  const name = relPath.split('/').pop() ?? relPath;
  return name.replace(/\.md$/i, '');
}

/** Parses and validates one file. `kind` comes from where it lives (pages/ holds pages). */
export function parseEntry(relPath: string, bytes: Uint8Array, ctx: ParseContext, kind: 'article' | 'page' = 'article'): ParseResult {
  const whole = (field: string, message: string): ParseResult => ({
    diagnostics: [{ path: relPath, line: 1, column: 1, field, severity: 'error', message }],
  });
  if (bytes.byteLength > ctx.maxBytes) {
    return whole('file', `file is ${bytes.byteLength} bytes, over the MAX_ARTICLE_BYTES limit of ${ctx.maxBytes}`);
  }
  const text = decodeContent(bytes);
  if (text === undefined) return whole('file', 'file is not valid UTF-8 text');
  const parsed = parseFrontMatter(text, relPath);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const fm = parsed.value;
  const c = new Checker(relPath, fm);
  const data = fm.data;

  const known = kind === 'article' ? ARTICLE_FIELDS : PAGE_FIELDS;
  for (const key of Object.keys(data)) if (!known.has(key)) c.report([key], `unknown field "${key}" is ignored`, 'warning', 'key');

  const title = c.text(['title'], data.title, { required: true, max: 200 });
  let slug = baseSlug(relPath);
  if (data.slug !== undefined) {
    const s = c.text(['slug'], data.slug, { max: 200 });
    if (s !== undefined && !SLUG_RE.test(s)) c.report(['slug'], `"${s.slice(0, 80)}" must be lowercase letters, digits and single hyphens`);
    else if (s !== undefined) slug = s;
  } else if (!SLUG_RE.test(slug)) {
    c.diagnostics.push({ path: relPath, line: 1, column: 1, field: 'slug', severity: 'error', message: `file name "${slug}" is not a valid slug: rename the file (lowercase letters, digits, single hyphens) or set slug:` });
  }
  const summary = c.text(['summary'], data.summary, { max: 300, multiline: true });
  const body = fm.body;
  if (body.trim() === '') c.diagnostics.push({ path: relPath, line: fm.bodyLine, column: 1, field: 'body', severity: 'error', message: 'the body is empty' });
  else {
    // Bodies render lazily on the request thread: refuse now the ones that would stall it.
    const costly = checkMarkdownBudget(body);
    if (costly) c.diagnostics.push({ path: relPath, line: fm.bodyLine + costly.line - 1, column: 1, field: 'body', severity: 'error', message: costly.message });
  }

  if (kind === 'page') {
    if (RESERVED_PAGE_SLUGS.has(slug)) c.report(data.slug !== undefined ? ['slug'] : ['title'], `page slug "${slug}" collides with a route the site uses`);
    let order = Number.MAX_SAFE_INTEGER;
    if (data.order !== undefined && data.order !== null) {
      if (typeof data.order !== 'number' || !Number.isFinite(data.order)) c.report(['order'], `must be a number, not ${describe(data.order)}`);
      else order = data.order;
    }
    c.bool(['noindex'], data.noindex);
    const draft = c.bool(['draft'], data.draft);
    if (!c.ok || title === undefined) return { diagnostics: c.diagnostics };
    if (draft) return { diagnostics: c.diagnostics };
    const page = { kind: 'page', file: relPath, slug, url: `/${slug}/`, title, ...(summary !== undefined ? { summary } : {}), order, bodyLine: fm.bodyLine } as const;
    return { entry: Object.freeze(withBodyFields(page, keepBytes(body, bodyBytes(bytes, text, fm)), false) as Page), diagnostics: c.diagnostics };
  }

  const date = c.date(['date'], data.date, ctx.timezone, true);
  const updated = c.date(['updated'], data.updated, ctx.timezone);
  if (date && updated && updated.ms < date.ms) c.report(['updated'], 'is earlier than date');

  let authors: string[] = [];
  if (data.author === undefined || data.author === null) c.report(['author'], 'is required');
  else if (Array.isArray(data.author)) {
    if (data.author.length === 0) c.report(['author'], 'must name at least one author');
    data.author.forEach((a, i) => {
      const s = c.text(['author', i], a, { required: true, max: 120 });
      if (s !== undefined) authors.push(s);
    });
  } else {
    const s = c.text(['author'], data.author, { required: true, max: 120 });
    if (s !== undefined) authors = [s];
  }
  for (const [i, a] of authors.entries()) if (!slugify(a)) c.report(['author', i], `"${a}" has no letters or digits to make an author page address from`);

  const publisher = c.text(['publisher'], data.publisher, { max: 200 });

  const tags: string[] = [];
  const tagList = c.list(['tags'], data.tags);
  tagList?.forEach((t, i) => {
    const s = c.text(['tags', i], t, { max: 100 });
    if (s === undefined) return;
    if (!slugify(s)) c.report(['tags', i], `tag "${s}" has no letters or digits to make a tag page address from`);
    else if (!tags.includes(s)) tags.push(s);
  });

  let image: FeatureImage | undefined;
  const img = c.mapping(['image'], data.image, IMAGE_FIELDS);
  if (img) {
    const src = c.text(['image', 'src'], img.src, { max: 500 });
    const alt = c.text(['image', 'alt'], img.alt, { max: 500 });
    const caption = c.text(['image', 'caption'], img.caption, { max: 1000 });
    const credit = c.text(['image', 'credit'], img.credit, { max: 300 });
    let file: { width: number; height: number } | undefined;
    if (src !== undefined) {
      if (!isSitePath(src)) c.report(['image', 'src'], `"${src.slice(0, 80)}" must be a site-relative path to a file under public/, such as /images/photo.jpg`);
      else if (alt === undefined && img.alt !== '') c.report(['image', 'alt'], 'is required when image.src is given (describe the photo for readers who cannot see it)');
      else {
        file = ctx.imageInfo(src);
        if (!file) c.report(['image', 'src'], `file public${src} does not exist or is not an image; the article is shown without it`, 'warning');
      }
    }
    image = {
      ...(file && src ? { src, width: file.width, height: file.height, alt: alt ?? '' } : alt !== undefined && file ? { alt } : {}),
      ...(caption !== undefined ? { caption } : {}),
      ...(credit !== undefined ? { credit } : {}),
    };
    if (Object.keys(image).length === 0) image = undefined;
  }

  let source: Article['source'];
  const src = c.mapping(['source'], data.source, SOURCE_FIELDS);
  if (src) {
    const name = c.text(['source', 'name'], src.name, { max: 200 });
    const url = c.url(['source', 'url'], src.url);
    source = { ...(name !== undefined ? { name } : {}), ...(url !== undefined ? { url } : {}) };
  }
  const canonical = c.url(['canonical'], data.canonical);
  const draft = c.bool(['draft'], data.draft);
  const noindex = c.bool(['noindex'], data.noindex);
  const id = c.text(['id'], data.id, { max: 300 });

  const aliases: string[] = [];
  c.list(['aliases'], data.aliases)?.forEach((a, i) => {
    const s = c.text(['aliases', i], a, { max: 500 });
    if (s === undefined) return;
    if (!isSitePath(s) || /^\/[a-z][a-z0-9+.-]*:/i.test(s)) {
      c.report(['aliases', i], `"${s.slice(0, 80)}" must be a site-relative path starting with a single / (no scheme, no //, no ..)`);
      return;
    }
    const key = aliasKey(s);
    if (key === '' || key === '/') c.report(['aliases', i], 'the home page cannot be an alias');
    else if (!aliases.includes(key)) aliases.push(key);
  });

  const corrections: Correction[] = [];
  c.list(['corrections'], data.corrections)?.forEach((entry, i) => {
    const rec = c.mapping(['corrections', i], entry, new Set(['date', 'text']));
    if (!rec) return;
    const d = c.date(['corrections', i, 'date'], rec.date, ctx.timezone, true);
    const t = c.text(['corrections', i, 'text'], rec.text, { required: true, max: 2000, multiline: true });
    if (d && t) corrections.push({ date: d, text: t });
  });
  corrections.sort((a, b) => b.date.ms - a.date.ms);

  if (!c.ok || title === undefined || date === undefined) return { diagnostics: c.diagnostics };
  const article = {
    kind: 'article',
    file: relPath,
    slug,
    url: `/articles/${slug}/`,
    title,
    date,
    ...(updated ? { updated } : {}),
    authors,
    ...(publisher !== undefined ? { publisher } : {}),
    ...(summary !== undefined ? { summary } : {}),
    tags,
    ...(image ? { image } : {}),
    ...(source && Object.keys(source).length > 0 ? { source } : {}),
    ...(canonical !== undefined ? { canonical } : {}),
    draft,
    noindex,
    ...(id !== undefined ? { id } : {}),
    aliases,
    corrections,
    bodyLine: fm.bodyLine,
    links: internalArticleLinks(body).map(ownCopy),
  } as const;
  return { entry: Object.freeze(withBodyFields(article, keepBytes(body, bodyBytes(bytes, text, fm)), true) as Article), diagnostics: c.diagnostics };
}

/**
 * Adds the body, from `kept` (its UTF-8 bytes, see BODY_BYTES), and the fields derived from it that only
 * rendered pages read: the description when there is no summary, the word count and reading time. Each is
 * computed on first read and then kept. With 10,000 articles this work was most of the start-up time, and
 * most articles are never rendered by one process. The fields are enumerable getters, so spreading or
 * serialising an entry sees plain values. All entries share the same getter functions (state lives in a
 * WeakMap): per-entry closures would give every entry a hidden class of its own and make every loop over
 * the articles megamorphic (buildSiteView ran 2x slower).
 */
function withBodyFields<T extends object>(entry: T, kept: Buffer, article: boolean): T & { body: string; description: string; words: number; readingMinutes: number } {
  BODY_BYTES.set(entry, kept);
  return Object.defineProperties(entry, article ? ARTICLE_BODY_FIELDS : PAGE_BODY_FIELDS) as T & { body: string; description: string; words: number; readingMinutes: number };
}

interface BodySource {
  readonly body: string;
  readonly summary?: string;
}

/**
 * The body is kept as its UTF-8 bytes and decoded when read (rendering, the description, the word count:
 * each once per article). As a string it would keep the whole decoded file alive (a slice shares its
 * parent), often as UTF-16: with 10,000 articles about 90 MB that start-up's garbage collector copied
 * between generations, against about 60 MB of bytes outside the JavaScript heap.
 */
const BODY_BYTES = new WeakMap<object, Buffer>();

// Bodies are written one after another into shared slabs rather than a buffer each (a separate allocation
// per body cost more than encoding it). A slab is freed when none of its bodies is in use any more; it is
// small, so bodies replaced by edits keep at most a slab each alive.
const SLAB_BYTES = 256 * 1024;
// Shared memory: the export sends the bodies to its other workers without copying them (see snapshotEntry).
const sharedBytes = (n: number): Buffer => Buffer.from(new SharedArrayBuffer(n));
let slab = sharedBytes(SLAB_BYTES);
let slabUsed = 0;

/** A copy of the body's UTF-8 bytes: of `encoded` (the body's bytes in the file) when given, else encoded anew. */
function keepBytes(text: string, encoded: Uint8Array | undefined): Buffer {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const most = encoded ? encoded.length : text.length * 3;
  if (most > SLAB_BYTES / 8) {
    const own = sharedBytes(encoded ? encoded.length : Buffer.byteLength(text, 'utf8'));
    if (encoded) own.set(encoded);
    else own.write(text, 'utf8');
    return own;
  }
  if (slabUsed + most > SLAB_BYTES) {
    slab = sharedBytes(SLAB_BYTES);
    slabUsed = 0;
  }
  const n = encoded ? (slab.set(encoded, slabUsed), encoded.length) : slab.write(text, slabUsed, 'utf8');
  const bytes = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return bytes;
}

/**
 * Where the body's bytes are in the file, when the decoded text is the file unchanged (no byte-order mark,
 * no CR to normalise): copying them is several times cheaper than encoding the body again.
 */
function bodyBytes(bytes: Uint8Array, text: string, fm: FrontMatter): Uint8Array | undefined {
  if ((bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || bytes.indexOf(13) !== -1) return undefined;
  return bytes.subarray(Buffer.byteLength(text.slice(0, fm.bodyOffset), 'utf8'));
}

// The last body decoded: a page asks for its entry's body up to three times in a row (Markdown, summary,
// word count), and each decoding made a fresh copy. One entry and its body stay referenced until the next.
let lastDecoded: { entry: object; body: string } | undefined;

const BODY: PropertyDescriptor = {
  enumerable: true,
  get(this: object): string {
    if (lastDecoded?.entry === this) return lastDecoded.body;
    const body = BODY_BYTES.get(this)!.toString('utf8');
    lastDecoded = { entry: this, body };
    return body;
  },
};

const derived = new WeakMap<BodySource, { description?: string; words?: number }>();

function derivedOf(e: BodySource): { description?: string; words?: number } {
  let d = derived.get(e);
  if (!d) {
    d = {};
    derived.set(e, d);
  }
  return d;
}

const DESCRIPTION: PropertyDescriptor = {
  enumerable: true,
  get(this: BodySource): string {
    const d = derivedOf(this);
    return (d.description ??= this.summary ?? plainExcerpt(this.body));
  },
};
const WORDS: PropertyDescriptor = {
  enumerable: true,
  get(this: BodySource): number {
    const d = derivedOf(this);
    return (d.words ??= countWords(this.body));
  },
};
const READING_MINUTES: PropertyDescriptor = {
  enumerable: true,
  get(this: BodySource & { words: number }): number {
    return Math.max(1, Math.ceil(this.words / 230));
  },
};
const ARTICLE_BODY_FIELDS: PropertyDescriptorMap = { body: BODY, description: DESCRIPTION, words: WORDS, readingMinutes: READING_MINUTES };
const PAGE_BODY_FIELDS: PropertyDescriptorMap = { body: BODY, description: DESCRIPTION };

/** Aliases and request paths are compared without a trailing slash. */
export function aliasKey(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * An entry as data another thread can receive (the export's workers share one load): its own fields, and
 * its body as the UTF-8 bytes it is kept in. The fields derived from the body are not sent; restoreEntry
 * gives them back as the same getters.
 */
export interface EntrySnapshot {
  readonly kind: 'article' | 'page';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly body: Uint8Array;
}

export function snapshotEntry(entry: Article | Page): EntrySnapshot {
  const descriptors = entry.kind === 'article' ? ARTICLE_BODY_FIELDS : PAGE_BODY_FIELDS;
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(entry)) if (!(k in descriptors)) fields[k] = (entry as unknown as Record<string, unknown>)[k];
  return { kind: entry.kind, fields, body: BODY_BYTES.get(entry)! };
}

/** The entry a snapshot was made of: equal field for field, its body read from the snapshot's bytes. */
export function restoreEntry(s: EntrySnapshot): Article | Page {
  const bytes = Buffer.from(s.body.buffer, s.body.byteOffset, s.body.byteLength);
  return Object.freeze(withBodyFields({ ...s.fields }, bytes, s.kind === 'article')) as unknown as Article | Page;
}
