// Prepared responses for every cacheable page, rendered on first request and kept until the content
// they show changes. Rendering lazily (rather than all pages at load) keeps start-up under a few seconds
// with 10,000 articles, and a popular tag changing costs one render on its next request, not thousands now.

import type { Config } from '../config.js';
import type { ChangeSet, ContentStore } from '../ContentStore.js';
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
  /** Make gzip and brotli variants with each page; the static export turns it off with --no-precompress. */
  compress = true;

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
    const keys = new Set<string>();
    if (c.timeOnly) keys.add('time');
    for (const a of c.articles) {
      keys.add(`a:${a.slug}`);
      keys.add('list');
      for (const t of a.tags) keys.add(`tag:${slugify(t)}`);
      for (const n of a.authors) keys.add(`author:${slugify(n)}`);
    }
    // Error pages list the footer pages only; nothing else on them changes with articles.
    this.cache.invalidate(keys);
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

  prepareRendered(r: Rendered, type = HTML, extraHeaders?: Record<string, string>): Prepared {
    return prepare(r.html, {
      type,
      compress: this.compress,
      cacheControl: r.private ? this.policies.none : this.policies.page,
      baseHeaders: extraHeaders ? withoutOverridden(this.baseHeaders, extraHeaders) : this.baseHeaders,
      ...(r.lastModified !== undefined ? { lastModified: r.lastModified } : {}),
      ...(extraHeaders ? { extraHeaders } : {}),
    });
  }

  /** Cached page at `path`, or render it with `render`; undefined when there is no such page. */
  serve(path: string, render: () => Rendered | undefined, type = HTML, extraHeaders?: Record<string, string>): Prepared | undefined {
    return this.cache.getOrRender(path, () => {
      const r = render();
      if (!r) return undefined;
      return { prepared: this.prepareRendered(r, type, extraHeaders), deps: [...r.deps, 'site'] };
    });
  }

  article(slug: string): Prepared | undefined {
    const view = this.store.view;
    const a = view.bySlug.get(slug);
    if (!a) return undefined;
    return this.serve(`/articles/${slug}/`, () => this.renderer.article(view, a));
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
