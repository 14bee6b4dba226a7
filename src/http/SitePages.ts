// Prepared responses for every cacheable page, rendered on first request and kept until the content
// they show changes. Rendering lazily (rather than all pages at load) keeps start-up under a few seconds
// with 10,000 articles, and a popular tag changing costs one render on its next request, not thousands now.

import type { Config } from '../config.js';
import type { ChangeSet, ContentStore } from '../ContentStore.js';
import type { Article } from '../content/model.js';
import { compareArticles, type Group, type SiteView } from '../content/SiteView.js';
import { slugify } from '../slug.js';
import type { Renderer, Rendered } from '../render/Renderer.js';
import type { AssetManifest } from './assets.js';
import { PageCache } from './PageCache.js';
import { prepare, type Prepared } from './prepared.js';

export const HTML = 'text/html; charset=utf-8';

/** Cache-Control for the kinds of response the site sends. */
export function cachePolicies(config: Config): { page: string; asset: string; none: string } {
  return {
    page: `public, max-age=${config.cacheMaxAge}, stale-while-revalidate=600, stale-if-error=86400`,
    asset: 'public, max-age=31536000, immutable',
    none: 'no-store',
  };
}

/** Base headers minus those `extra` replaces (e.g. feeds' Cross-Origin-Resource-Policy), so none is sent twice. */
function withoutOverridden(base: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>>): Record<string, string> {
  const replaced = new Set(Object.keys(extra).map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(base).filter(([k]) => !replaced.has(k.toLowerCase())));
}

export class SitePages {
  readonly cache: PageCache;
  private readonly policies: ReturnType<typeof cachePolicies>;
  private readonly assetsByUrl = new Map<string, Prepared>();
  /** The related box of each article page rendered, by slug: what it shows and the score of each entry. */
  private readonly boxes = new Map<string, RelatedBox>();
  /** Make gzip and brotli variants with each page; the static export turns it off with --no-precompress. */
  compress = true;
  /** Give each page a strong ETag; the static export, which writes none, turns it off. */
  etags = true;
  /**
   * Keep each page rendered in the cache, with the keys of what it shows (and each article's related box),
   * for the next request and for invalidation. The static export asks for each page once and turns it off:
   * a page is then rendered, prepared and handed back, and nothing is kept.
   */
  keep = true;
  /**
   * Leave the variants for later (see completeCompression): set while the site-wide pages are prepared
   * before the server listens, so that compressing them (0.1 s with 10,000 articles, most of it the
   * sitemap) does not hold up readiness; the uncompressed response is complete and correct meanwhile.
   */
  deferCompression = false;
  private readonly deferred = new Set<string>();

  constructor(
    readonly config: Config,
    readonly store: ContentStore,
    readonly renderer: Renderer,
    readonly baseHeaders: Readonly<Record<string, string>>,
    assets: AssetManifest,
    cache?: PageCache,
  ) {
    this.cache = cache ?? new PageCache();
    this.policies = cachePolicies(config);
    for (const a of assets.values()) {
      this.assetsByUrl.set(a.url, prepare(a.body, { type: a.type, cacheControl: this.policies.asset, baseHeaders }));
    }
    store.on('change', (c) => this.onChange(c));
  }

  private onChange(c: ChangeSet): void {
    if (c.pagesChanged || c.previous.preview !== c.current.preview) {
      this.cache.clear();
      this.seedAssets();
      return;
    }
    this.cache.invalidate(changedKeys(c, this.config.pageSize));
    // Articles whose related box a changed article now enters (the boxes it was in depend on it already).
    const { current } = c;
    for (const x of c.articles) {
      if (current.bySlug.get(x.slug) !== x) continue;
      const xTags = new Set(x.tags.map(slugify));
      for (const t of xTags) {
        for (const a of current.tags.get(t)?.articles ?? []) {
          const box = this.boxes.get(a.slug);
          if (!box || a === x) continue;
          if (!this.cache.has(a.url)) this.boxes.delete(a.slug);
          else if (entersBox(box, x, xTags)) this.cache.invalidate([`path:${a.url}`]);
        }
      }
    }
    // Error pages list the footer pages only; nothing else on them changes with articles.
  }

  private seedAssets(): void {
    for (const [url, p] of this.assetsByUrl) this.cache.set(url, p, ['asset']);
  }

  /** Hashed assets go in the same cache so the fast path answers them too. */
  asset(url: string): Prepared | undefined {
    const p = this.assetsByUrl.get(url);
    if (p && !this.cache.has(url)) this.cache.set(url, p, ['asset']);
    return p;
  }

  /** Makes the compressed variants of the pages prepared while deferCompression was set, off the main thread. */
  async completeCompression(): Promise<void> {
    const paths = [...this.deferred];
    this.deferred.clear();
    for (const path of paths) {
      const p = this.cache.get(path);
      if (p?.complete) this.cache.replace(path, p, await p.complete());
    }
  }

  prepareRendered(r: Rendered, type = HTML, extraHeaders?: Record<string, string>): Prepared {
    return prepare(r.html, {
      type,
      compress: this.compress && this.deferCompression ? 'later' : this.compress,
      etag: this.etags,
      cacheControl: r.private ? this.policies.none : this.policies.page,
      baseHeaders: extraHeaders ? withoutOverridden(this.baseHeaders, extraHeaders) : this.baseHeaders,
      ...(r.lastModified !== undefined ? { lastModified: r.lastModified } : {}),
      ...(extraHeaders ? { extraHeaders } : {}),
    });
  }

  /** Cached page at `path`, or render it with `render`; undefined when there is no such page. */
  serve(path: string, render: () => Rendered | undefined, type = HTML, extraHeaders?: Record<string, string>): Prepared | undefined {
    if (!this.keep) {
      const r = render();
      return r && this.prepareRendered(r, type, extraHeaders);
    }
    return this.cache.getOrRender(path, () => {
      const r = render();
      if (!r) return undefined;
      if (this.deferCompression) this.deferred.add(path);
      return { prepared: this.prepareRendered(r, type, extraHeaders), deps: [...r.deps, 'site', `path:${path}`] };
    });
  }

  article(slug: string): Prepared | undefined {
    const view = this.store.view;
    const a = view.bySlug.get(slug);
    if (!a) return undefined;
    return this.serve(`/articles/${slug}/`, () => {
      const r = this.renderer.article(view, a);
      if (r.related && this.keep) this.boxes.set(slug, relatedBox(a, r.related.articles, r.related.byTag));
      return r;
    });
  }

  home(page: number): Prepared | undefined {
    const view = this.store.view;
    return this.serve(page === 1 ? '/' : `/page/${page}/`, () => this.renderer.home(view, page));
  }

  tag(slug: string, page: number): Prepared | undefined {
    const view = this.store.view;
    return this.serve(page === 1 ? `/tags/${slug}/` : `/tags/${slug}/page/${page}/`, () => this.renderer.tag(view, slug, page));
  }

  author(slug: string, page: number): Prepared | undefined {
    const view = this.store.view;
    return this.serve(page === 1 ? `/authors/${slug}/` : `/authors/${slug}/page/${page}/`, () => this.renderer.author(view, slug, page));
  }

  page(slug: string): Prepared | undefined {
    const view = this.store.view;
    const p = view.pagesBySlug.get(slug);
    if (!p) return undefined;
    return this.serve(p.url, () => this.renderer.page(view, p));
  }

  /** Error pages are prepared too (no-store), but not kept in the path cache. */
  private readonly errorPages = new Map<string, Prepared>();
  errorPage(status: number, detail?: string): Prepared {
    const view = this.store.view;
    const key = `${status}`;
    if (detail === undefined) {
      const hit = this.errorPages.get(key);
      if (hit && this.errorPagesFor === view) return hit;
    }
    if (this.errorPagesFor !== view) {
      this.errorPages.clear();
      this.errorPagesFor = view;
    }
    const p = prepare(this.renderer.error(view, status, detail), { status, type: HTML, cacheControl: this.policies.none, baseHeaders: this.baseHeaders });
    if (detail === undefined) this.errorPages.set(key, p);
    return p;
  }
  private errorPagesFor: unknown;
}

/** An article page's related box: most shared tags first, then newest (Renderer.related). */
interface RelatedBox {
  readonly tags: ReadonlySet<string>;
  readonly articles: readonly Article[];
  readonly scores: readonly number[];
}

function relatedBox(a: Article, related: readonly Article[], byTag: boolean): RelatedBox {
  const tags = new Set(a.tags.map(slugify));
  const shared = (r: Article): number => r.tags.reduce((n, t) => n + (tags.has(slugify(t)) ? 1 : 0), 0);
  // A box of newest articles (no tag in common with any other) holds no tag-ranked entries.
  return byTag ? { tags, articles: related, scores: related.map(shared) } : { tags, articles: [], scores: [] };
}

/** Whether article x, as it is now, ranks among the first 3 of the box. */
function entersBox(box: RelatedBox, x: Article, xTags: ReadonlySet<string>): boolean {
  let score = 0;
  for (const t of xTags) if (box.tags.has(t)) score++;
  if (score === 0) return false;
  if (box.articles.length < 3) return true;
  const lastScore = box.scores[2]!;
  return score > lastScore || (score === lastScore && compareArticles(x, box.articles[2]!) < 0);
}

/** Paths of the pages of one listing whose articles (or page count) differ between two states. */
function changedListingPages(basePath: string, prev: readonly Article[], cur: readonly Article[], size: number, renamed: boolean): string[] {
  const before = Math.max(1, Math.ceil(prev.length / size));
  const after = Math.max(1, Math.ceil(cur.length / size));
  const out: string[] = [];
  for (let p = 1; p <= Math.max(before, after); p++) {
    // Every page shows "Page n of N" and its heading: those change for all pages at once.
    let changed = renamed || before !== after;
    for (let i = (p - 1) * size; !changed && i < p * size; i++) changed = prev[i] !== cur[i];
    if (changed) out.push(p === 1 ? basePath : `${basePath}page/${p}/`);
  }
  return out;
}

/**
 * Cache keys a content change drops: each changed article's own page and the pages that show it in their
 * related box (a:<slug>), the listing pages whose articles changed (path:<path>), boxes of newest articles,
 * feeds and sitemaps ('list'), a tag's feed (tag:<slug>), and the news sitemap when time alone moved.
 */
function changedKeys(c: ChangeSet, size: number): Set<string> {
  const { previous, current } = c;
  const keys = new Set<string>();
  if (c.timeOnly) keys.add('time');
  if (c.articles.length === 0) return keys;
  keys.add('list');
  const listing = (basePath: string, prev: Group | undefined, cur: Group | undefined): void => {
    for (const p of changedListingPages(basePath, prev?.articles ?? [], cur?.articles ?? [], size, prev?.name !== cur?.name)) keys.add(`path:${p}`);
  };
  listing('/', { slug: '', name: '', articles: previous.articles }, { slug: '', name: '', articles: current.articles });
  const tags = new Set<string>();
  const authors = new Set<string>();
  for (const a of c.articles) {
    keys.add(`a:${a.slug}`);
    for (const t of a.tags) tags.add(slugify(t));
    for (const n of a.authors) authors.add(slugify(n));
  }
  for (const t of tags) {
    keys.add(`tag:${t}`);
    listing(`/tags/${t}/`, previous.tags.get(t), current.tags.get(t));
  }
  for (const n of authors) listing(`/authors/${n}/`, previous.authors.get(n), current.authors.get(n));
  if (!sameNewest(previous, current, 4)) keys.add('newest');
  return keys;
}

function sameNewest(a: SiteView, b: SiteView, n: number): boolean {
  for (let i = 0; i < n; i++) if (a.articles[i] !== b.articles[i]) return false;
  return true;
}
