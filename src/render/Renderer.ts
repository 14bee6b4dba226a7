// Turns a SiteView into HTML documents through EJS templates. Templates get an explicit view model built
// here: never request data. Article bodies are rendered from Markdown on first use and kept per Article
// object, so unchanged articles are never rendered twice.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Config } from '../config.js';
import { formatLongDate, type SiteDate } from '../dates.js';
import type { Article, Page } from '../content/model.js';
import { isPublished, modifiedMs, type Group, type SiteView } from '../content/SiteView.js';
import { MarkdownError, renderMarkdown, type MarkdownOptions } from '../markdown.js';
import { escapeHtml } from '../escapeHtml.js';
import { slugify } from '../slug.js';
import { fastIsoDateTime } from './fastIsoDateTime.js';

export interface Rendered {
  /** The document; feeds that carry many articles' full text are assembled as bytes. */
  readonly html: string | Buffer;
  /** Newest date shown on the page, for Last-Modified. */
  readonly lastModified: number | undefined;
  /** Cache dependency keys (see PageCache). */
  readonly deps: readonly string[];
  /** Preview-only pages (drafts, scheduled) must not be cached by browsers or proxies. */
  readonly private?: boolean;
  /** An article page's related box, so the cache can tell when another article enters it. */
  readonly related?: { readonly articles: readonly Article[]; readonly byTag: boolean };
}

export interface RendererOptions {
  readonly config: Config;
  readonly viewsDir: string;
  readonly assetUrl: (name: string) => string;
  readonly imageInfo?: MarkdownOptions['imageSize'];
  readonly onRenderError?: (file: string, line: number, message: string) => void;
}

/** A template compiled in EJS's client mode: it calls the `include` it is given for its partials. */
type Template = (data: Record<string, unknown>, escapeFn: undefined, include: Include) => string;
type Include = (name: string, data?: Record<string, unknown>) => string;

/** Listing positions of a view's articles, for scoring related articles (scores reset after each use). */
interface ListingIndex {
  readonly position: ReadonlyMap<Article, number>;
  readonly score: Int32Array;
  readonly groups: WeakMap<Group, Int32Array>;
}

/** A date as pages show it: `<time datetime>` value, text, and full ISO date-time (feeds, JSON-LD). */
export interface ShownDate {
  readonly machine: string;
  readonly text: string;
  readonly iso: string;
}

/** Ids the layout uses; a heading in an article that would repeat one gets a suffix. */
export const LAYOUT_IDS = ['main', 'corrections-heading', 'related-heading'];

// One pass over the JSON for the five characters that could end or confuse the script element.
const JSON_UNSAFE = /[<>&\u2028\u2029]/g;
const JSON_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const escapeJson = (value: unknown): string => JSON.stringify(value).replace(JSON_UNSAFE, (c) => JSON_ESCAPES[c]!);

function ogLocale(lang: string): string {
  const [l, region] = lang.split('-');
  const defaults: Record<string, string> = { en: 'US', fr: 'FR', de: 'DE', es: 'ES', it: 'IT', pt: 'PT', nl: 'NL', ja: 'JP', sv: 'SE', da: 'DK' };
  const r = region ?? defaults[l!.toLowerCase()] ?? l!.toUpperCase();
  return `${l!.toLowerCase()}_${r.toUpperCase()}`;
}

export class Renderer {
  private readonly templates = new Map<string, Template>();
  private readonly bodies = new WeakMap<Article | Page, string>();
  /** Each article's teaser HTML, made once: it is the same on every listing that shows it. */
  private readonly teasers = new WeakMap<Article, string>();
  private readonly dates = new Map<number, ShownDate>();
  private readonly dayTexts = new Map<string, string>();
  private readonly md: MarkdownOptions;
  readonly config: Config;

  constructor(private readonly options: RendererOptions) {
    this.config = options.config;
    this.md = { siteOrigin: this.config.siteUrl, reservedIds: LAYOUT_IDS, ...(options.imageInfo ? { imageSize: options.imageInfo } : {}) };
    // Every view and partial is compiled once, in EJS's client mode, which takes the include function as
    // an argument: includes ('/partials/head') are looked up here, with no path resolution and no copy of
    // the page's data and options per include (ejs's own include did both, for every partial of every page).
    const compile = (filename: string): Template => ejs.compile(readFileSync(filename, 'utf8'), { filename, client: true }) as unknown as Template;
    for (const name of ['article', 'list', 'page', 'error']) this.templates.set(name, compile(path.join(options.viewsDir, `${name}.ejs`)));
    const partials = path.join(options.viewsDir, 'partials');
    for (const file of readdirSync(partials)) {
      if (file.endsWith('.ejs')) this.templates.set(`/partials/${file.slice(0, -4)}`, compile(path.join(partials, file)));
    }
  }

  abs(p: string): string {
    return `${this.config.siteUrl}${p}`;
  }

  date(d: SiteDate): ShownDate {
    // A page shows several dates and the same dates recur across articles, listings and feeds; Intl
    // formatting is the costly part, so each instant is formatted once (bounded for a long-running server).
    // Instants are whole milliseconds: half a millisecond keeps a calendar date apart from a date-time.
    const key = d.dateOnly ? d.ms + 0.5 : d.ms;
    let shown = this.dates.get(key);
    if (shown === undefined) {
      const tz = this.config.siteTimezone;
      // fastIsoDateTime: one Intl lookup per day instead of per instant; a calendar date is its first 10 characters.
      const iso = fastIsoDateTime(d.ms, tz);
      // The long date ("March 22, 2024") names the calendar day in the site's zone, so it is made once per day.
      const day = iso.slice(0, 10);
      let text = this.dayTexts.get(day);
      if (text === undefined) {
        text = formatLongDate(d.ms, tz, this.config.siteLang);
        this.dayTexts.set(day, text);
      }
      shown = Object.freeze({ machine: d.dateOnly ? day : iso, text, iso });
      if (this.dates.size >= 50_000) {
        this.dates.clear();
        this.dayTexts.clear();
      }
      this.dates.set(key, shown);
    }
    return shown;
  }

  /**
   * Drops the kept body HTML of an entry no later page will show (the export, after an article that is in
   * no feed): kept, every body of a large site would stay in memory until the end of the export.
   */
  forgetBody(entry: Article | Page): void {
    this.bodies.delete(entry);
  }

  /** Whether the entry's rendered body HTML is kept (made, and not forgotten since). */
  keepsBody(entry: Article | Page): boolean {
    return this.bodies.has(entry);
  }

  /** Sanitised HTML of an article or page body; a body that cannot render is shown as escaped text. */
  bodyHtml(entry: Article | Page): string {
    let html = this.bodies.get(entry);
    if (html !== undefined) return html;
    try {
      html = renderMarkdown(entry.body, this.md);
    } catch (err) {
      const message = err instanceof MarkdownError ? err.message : 'the body could not be rendered';
      this.options.onRenderError?.(entry.file, entry.bodyLine, message);
      html = entry.body
        .split(/\n\s*\n/)
        .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
        .join('\n');
    }
    this.bodies.set(entry, html);
    return html;
  }

  private base(view: SiteView, head: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
    const c = this.config;
    return {
      site: { name: c.siteName, lang: c.siteLang, url: c.siteUrl, year: new Date(view.now).getUTCFullYear(), pages: view.pages.map((p) => ({ title: p.title, url: p.url })) },
      assets: { css: this.options.assetUrl('style.css') },
      head: {
        robots: 'index, follow, max-image-preview:large',
        canonical: undefined,
        prev: undefined,
        next: undefined,
        og: [],
        twitter: [],
        jsonLd: undefined,
        alternates: this.feedAlternates(),
        ...head,
      },
      banner: undefined,
      ...extra,
    };
  }

  feedAlternates(): { type: string; title: string; href: string }[] {
    const n = this.config.siteName;
    return [
      { type: 'application/rss+xml', title: `${n} (RSS)`, href: this.abs('/feed.xml') },
      { type: 'application/atom+xml', title: `${n} (Atom)`, href: this.abs('/atom.xml') },
      { type: 'application/feed+json', title: `${n} (JSON Feed)`, href: this.abs('/feed.json') },
    ];
  }

  private run(name: string, data: Record<string, unknown>): string {
    return this.templates.get(name)!(data, undefined, this.includeWith(data));
  }

  /** An include for templates rendered with `data`: a partial sees the same data, plus what is passed to it. */
  private includeWith(data: Record<string, unknown>): Include {
    const include: Include = (name, extra) => {
      const partial = name.startsWith('/partials/') ? this.templates.get(name) : undefined;
      if (!partial) throw new Error(`views: no partial ${name} (an include names a file in views/partials/, e.g. '/partials/head')`);
      if (!extra) return partial(data, undefined, include);
      const d = { ...data, ...extra };
      return partial(d, undefined, this.includeWith(d));
    };
    return include;
  }

  /**
   * An article's entry in a listing. An article appears on several listings (home, each of its tags and
   * authors), and an edit makes a new Article object, so the HTML is kept per object.
   */
  private teaserHtml(a: Article): string {
    let html = this.teasers.get(a);
    if (html === undefined) {
      html = this.run('/partials/teaser', { item: this.teaser(a) });
      this.teasers.set(a, html);
    }
    return html;
  }

  private teaser(a: Article): Record<string, unknown> {
    return {
      url: a.url,
      title: a.title,
      description: a.description,
      authors: a.authors.map((n) => ({ name: n, url: `/authors/${slugify(n)}/` })),
      publisher: a.publisher,
      date: this.date(a.date),
      updated: a.updated ? this.date(a.updated) : undefined,
    };
  }

  /** SITE_LOGO as a schema.org ImageObject, with its size when the file can be read. */
  private logo(src: string): Record<string, unknown> {
    const size = this.options.imageInfo?.(src);
    return { '@type': 'ImageObject', url: this.abs(src), ...(size ? { width: size.width, height: size.height } : {}) };
  }

  /** Up to 3: most shared tags, then newest; with no shared tag, the newest other articles. */
  related(view: SiteView, a: Article): { articles: Article[]; byTag: boolean } {
    // Scores are counted in an array indexed by listing position (tag groups keep listing order), so
    // "most shared tags, then newest" is the highest score, then the lowest position: no sort, no Map.
    const idx = this.listingIndex(view);
    const touched: number[] = [];
    for (const t of a.tags) {
      const g = view.tags.get(slugify(t));
      if (!g) continue;
      let positions = idx.groups.get(g);
      if (!positions) {
        positions = Int32Array.from(g.articles, (x) => idx.position.get(x) ?? -1);
        idx.groups.set(g, positions);
      }
      for (const i of positions) {
        if (i < 0 || view.articles[i] === a) continue;
        if (idx.score[i]!++ === 0) touched.push(i);
      }
    }
    if (touched.length === 0) {
      // The newest three others, without copying the whole list for each article that shares no tag.
      const newest: Article[] = [];
      for (const o of view.articles) {
        if (o === a) continue;
        newest.push(o);
        if (newest.length === 3) break;
      }
      return { articles: newest, byTag: false };
    }
    const best: number[] = [];
    for (const i of touched) {
      let k = best.length;
      const s = idx.score[i]!;
      while (k > 0 && (s > idx.score[best[k - 1]!]! || (s === idx.score[best[k - 1]!] && i < best[k - 1]!))) k--;
      if (k < 3) {
        best.splice(k, 0, i);
        if (best.length > 3) best.pop();
      }
    }
    for (const i of touched) idx.score[i] = 0;
    return { articles: best.map((i) => view.articles[i]!), byTag: true };
  }

  private readonly listingIndexes = new WeakMap<SiteView, ListingIndex>();
  private listingIndex(view: SiteView): ListingIndex {
    let idx = this.listingIndexes.get(view);
    if (!idx) {
      idx = { position: new Map(view.articles.map((x, i) => [x, i])), score: new Int32Array(view.articles.length), groups: new WeakMap() };
      this.listingIndexes.set(view, idx);
    }
    return idx;
  }

  article(view: SiteView, a: Article): Rendered {
    const c = this.config;
    const url = this.abs(a.url);
    const { articles: related, byTag } = this.related(view, a);
    const published = isPublished(a, view.now);
    const banner = a.draft ? 'Draft: not published' : !published ? `Scheduled for ${this.date(a.date).text}` : undefined;
    const tagLinks = a.tags.map((t) => ({ name: t, url: `/tags/${slugify(t)}/` }));
    const image = a.image?.src ? { ...a.image, absolute: this.abs(a.image.src) } : undefined;
    const modified = a.updated ?? a.date;
    const og: [string, string][] = [
      ['og:type', 'article'],
      ['og:title', a.title],
      ['og:description', a.description],
      ['og:url', a.canonical ?? url],
      ['og:site_name', c.siteName],
      ['og:locale', ogLocale(c.siteLang)],
    ];
    if (image) og.push(['og:image', image.absolute], ['og:image:width', String(image.width)], ['og:image:height', String(image.height)], ['og:image:alt', image.alt ?? '']);
    og.push(['article:published_time', this.date(a.date).iso], ['article:modified_time', this.date(modified).iso]);
    for (const n of a.authors) og.push(['article:author', this.abs(`/authors/${slugify(n)}/`)]);
    for (const t of a.tags) og.push(['article:tag', t]);
    const twitter: [string, string][] = [
      ['twitter:card', image ? 'summary_large_image' : 'summary'],
      ['twitter:title', a.title],
      ['twitter:description', a.description],
    ];
    if (image) twitter.push(['twitter:image', image.absolute], ['twitter:image:alt', image.alt ?? '']);
    const jsonLd: Record<string, unknown> = {
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: a.title,
      description: a.description,
      datePublished: this.date(a.date).iso,
      dateModified: this.date(modified).iso,
      author: a.authors.map((n) => ({ '@type': 'Person', name: n, url: this.abs(`/authors/${slugify(n)}/`) })),
      publisher: { '@type': 'Organization', name: c.siteName, url: this.abs('/'), ...(c.siteLogo ? { logo: this.logo(c.siteLogo) } : {}) },
      mainEntityOfPage: { '@type': 'WebPage', '@id': url },
      url,
      inLanguage: c.siteLang,
      wordCount: a.words,
    };
    if (a.publisher) jsonLd.sourceOrganization = { '@type': 'Organization', name: a.publisher };
    if (a.source?.url) jsonLd.isBasedOn = a.source.url;
    if (image) jsonLd.image = [{ '@type': 'ImageObject', url: image.absolute, width: image.width, height: image.height, ...(image.caption ? { caption: image.caption } : {}) }];
    if (a.tags.length) jsonLd.keywords = a.tags.join(', ');

    const html = this.run(
      'article',
      this.base(
        view,
        {
          title: a.title,
          description: a.description,
          canonical: a.canonical ?? url,
          robots: a.noindex || banner ? 'noindex' : 'index, follow, max-image-preview:large',
          og,
          twitter,
          jsonLd: escapeJson(jsonLd),
        },
        {
          banner,
          article: {
            ...this.teaser(a),
            image: a.image,
            tags: tagLinks,
            readingTime: `${a.readingMinutes} min read`,
            html: this.bodyHtml(a),
            source: a.source,
            corrections: a.corrections.map((x) => ({ date: this.date(x.date), text: x.text })),
          },
          related: related.map((r) => ({ url: r.url, title: r.title, date: this.date(r.date) })),
        },
      ),
    );
    const lastModified = Math.max(modifiedMs(a), ...a.corrections.map((x) => x.date.ms), ...related.map(modifiedMs));
    // The page shows this article and its related ones (a change to any of them drops it); a box of the
    // newest articles also changes when the newest do. Articles entering the box are found by SitePages.
    const deps = [`a:${a.slug}`, ...related.map((r) => `a:${r.slug}`), ...(byTag ? [] : ['newest'])];
    return { html, lastModified, deps, related: { articles: related, byTag }, ...(banner ? { private: true } : {}) };
  }

  /** A paginated listing (home, tag or author); undefined for a page number past the end. */
  listing(
    view: SiteView,
    opts: { articles: readonly Article[]; page: number; basePath: string; heading: string; title: string; description: string; intro?: string; deps: readonly string[]; alternates?: { type: string; title: string; href: string }[] },
  ): Rendered | undefined {
    const size = this.config.pageSize;
    const pages = Math.max(1, Math.ceil(opts.articles.length / size));
    if (!Number.isInteger(opts.page) || opts.page < 1 || opts.page > pages) return undefined;
    const items = opts.articles.slice((opts.page - 1) * size, opts.page * size);
    const pathOf = (n: number): string => (n === 1 ? opts.basePath : `${opts.basePath}page/${n}/`);
    const prev = opts.page > 1 ? pathOf(opts.page - 1) : undefined;
    const next = opts.page < pages ? pathOf(opts.page + 1) : undefined;
    const suffix = opts.page > 1 ? ` (page ${opts.page})` : '';
    const html = this.run(
      'list',
      this.base(
        view,
        {
          title: `${opts.title}${suffix}`,
          description: opts.description,
          canonical: this.abs(pathOf(opts.page)),
          prev: prev ? this.abs(prev) : undefined,
          next: next ? this.abs(next) : undefined,
          alternates: [...this.feedAlternates(), ...(opts.alternates ?? [])],
          og: [
            ['og:type', 'website'],
            ['og:title', `${opts.title}${suffix}`],
            ['og:description', opts.description],
            ['og:url', this.abs(pathOf(opts.page))],
            ['og:site_name', this.config.siteName],
            ['og:locale', ogLocale(this.config.siteLang)],
          ],
          twitter: [['twitter:card', 'summary']],
        },
        {
          heading: `${opts.heading}${suffix}`,
          intro: opts.page === 1 ? opts.intro : undefined,
          teasers: items.map((a) => this.teaserHtml(a)),
          pagination: { page: opts.page, pages, prev, next },
        },
      ),
    );
    const lastModified = items.length ? Math.max(...items.map(modifiedMs)) : undefined;
    return { html, lastModified, deps: opts.deps };
  }

  home(view: SiteView, page: number): Rendered | undefined {
    const c = this.config;
    return this.listing(view, {
      articles: view.articles,
      page,
      basePath: '/',
      heading: 'Latest news',
      title: c.siteName,
      description: `The latest news from ${c.siteName}.`,
      deps: [], // SitePages drops listing pages by path when the articles on them change
    });
  }

  tag(view: SiteView, slug: string, page: number): Rendered | undefined {
    const g = view.tags.get(slug);
    if (!g) return undefined;
    return this.listing(view, {
      articles: g.articles,
      page,
      basePath: `/tags/${slug}/`,
      heading: g.name,
      title: `${g.name} – ${this.config.siteName}`,
      description: `Articles tagged ${g.name} on ${this.config.siteName}.`,
      intro: `Articles tagged “${g.name}”, newest first.`,
      deps: [], // SitePages drops listing pages by path when the articles on them change
      alternates: [{ type: 'application/rss+xml', title: `${g.name} – ${this.config.siteName} (RSS)`, href: this.abs(`/tags/${slug}/feed.xml`) }],
    });
  }

  author(view: SiteView, slug: string, page: number): Rendered | undefined {
    const g = view.authors.get(slug);
    if (!g) return undefined;
    return this.listing(view, {
      articles: g.articles,
      page,
      basePath: `/authors/${slug}/`,
      heading: g.name,
      title: `${g.name} – ${this.config.siteName}`,
      description: `Articles by ${g.name} on ${this.config.siteName}.`,
      intro: `Articles by ${g.name}, newest first.`,
      deps: [], // SitePages drops listing pages by path when the articles on them change
    });
  }

  page(view: SiteView, p: Page): Rendered {
    const html = this.run(
      'page',
      this.base(
        view,
        {
          title: `${p.title} – ${this.config.siteName}`,
          description: p.description,
          canonical: this.abs(p.url),
          og: [
            ['og:type', 'website'],
            ['og:title', p.title],
            ['og:description', p.description],
            ['og:url', this.abs(p.url)],
            ['og:site_name', this.config.siteName],
            ['og:locale', ogLocale(this.config.siteLang)],
          ],
          twitter: [['twitter:card', 'summary']],
        },
        { page: { title: p.title, html: this.bodyHtml(p) } },
      ),
    );
    return { html, lastModified: undefined, deps: ['site'] };
  }

  error(view: SiteView, status: number, detail?: string): string {
    const notFound = status === 404;
    const heading = notFound ? 'Page not found' : status === 405 ? 'Method not allowed' : status < 500 ? 'Bad request' : 'Something went wrong';
    const message = notFound
      ? 'There is no page at this address. It may have moved, or the link may be mistyped.'
      : status < 500
        ? 'The request could not be understood.'
        : 'The page could not be shown because of an error on our side. Please try again in a moment.';
    return this.run(
      'error',
      this.base(
        view,
        { title: `${heading} – ${this.config.siteName}`, description: message, robots: 'noindex' },
        { error: { heading, message, detail } },
      ),
    );
  }
}
