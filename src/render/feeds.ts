// RSS 2.0, Atom and JSON Feed 1.1 documents for the newest articles, with full content. Feed readers show
// content away from the site, so every URL inside it is made absolute from SITE_URL (never from a request).
// Each entry's id outlives slug renames when the front matter carries `id` (npm run new writes one).

import type { Config } from '../config.js';
import { httpDate, isoDate } from '../dates.js';
import { fastIsoDateTime } from './fastIsoDateTime.js';
import type { Article } from '../content/model.js';
import { isPublished, modifiedMs, type SiteView } from '../content/SiteView.js';
import { escapeHtml } from '../escapeHtml.js';
import { slugify } from '../slug.js';
import type { Renderer, Rendered } from './Renderer.js';
import { attributes, el, XML_DECLARATION } from './xml.js';

/** Articles in each feed. */
export const FEED_SIZE = 20;

export const FEED_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;

/**
 * The entry id: the front matter `id` when present, else an RFC 4151 tag URI from the SITE_URL host, the
 * publication date in SITE_TIMEZONE and the slug (tag:news.example,2024-03-22:my-story). Without `id`, a
 * slug rename changes the id, so editors keep `id` when they rename.
 */
export function feedId(a: Article, config: Config): string {
  if (a.id !== undefined) return a.id;
  const host = new URL(config.siteUrl).hostname.toLowerCase();
  return `tag:${host},${isoDate(a.date.ms, config.siteTimezone)}:${a.slug}`;
}

const unescapeAttr = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" })[e] ?? '');

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const URL_ATTR = /(\s(?:href|src|cite)=")([^"]*)(")/g;
const START_TAG = /<[a-zA-Z][^>]*>/g;

/**
 * Rewrites every site-relative or document-relative URL in href/src/cite attributes of sanitised HTML to an
 * absolute one: "/images/a.jpg" -> SITE_URL + "/images/a.jpg", "#notes" and "b.jpg" resolved against the
 * page's own absolute URL. URLs with a scheme are left as they are.
 */
export function absolutizeHtml(html: string, siteUrl: string, pageUrl: string): string {
  const rewrite = (whole: string, open: string, raw: string, close: string): string => {
    const value = unescapeAttr(raw).trim();
    if (HAS_SCHEME.test(value) || value.startsWith('//')) return whole;
    let abs: string;
    if (value.startsWith('/')) abs = `${siteUrl}${value}`;
    else {
      try {
        abs = new URL(value, pageUrl).href;
      } catch {
        return whole;
      }
    }
    return `${open}${escapeHtml(abs)}${close}`;
  };
  // Only inside start tags: sanitised text cannot hold a raw "<", so a code sample showing href="/x" stays as written.
  return html.replace(START_TAG, (tag) => tag.replace(URL_ATTR, rewrite));
}

interface FeedItem {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly summary: string;
  readonly html: string;
  readonly published: number;
  readonly modified: number;
  readonly authors: readonly { readonly name: string; readonly url: string }[];
  readonly tags: readonly string[];
  readonly image?: string;
  readonly sourceUrl?: string;
}

type PerArticle<V> = WeakMap<Renderer, WeakMap<Article, V>>;

/** The renderer's own map in a per-(renderer, article) cache. */
function cacheOf<V>(cache: PerArticle<V>, renderer: Renderer): WeakMap<Article, V> {
  let perRenderer = cache.get(renderer);
  if (!perRenderer) {
    perRenderer = new WeakMap();
    cache.set(renderer, perRenderer);
  }
  return perRenderer;
}

// Full content per (renderer, article): a reload keeps unchanged Article objects, so their feed HTML is kept.
const contentCache: PerArticle<string> = new WeakMap();

/** The article as a reader sees it in a feed: feature image with caption and credit, body, source link, corrections. */
export function feedContent(renderer: Renderer, a: Article): string {
  const perRenderer = cacheOf(contentCache, renderer);
  const hit = perRenderer.get(a);
  if (hit !== undefined) return hit;
  const parts: string[] = [];
  const img = a.image;
  if (img?.src) {
    const caption = [img.caption, img.credit].filter((x): x is string => Boolean(x)).map(escapeHtml).join(' ');
    const size = img.width && img.height ? ` width="${img.width}" height="${img.height}"` : '';
    parts.push(`<figure><img src="${escapeHtml(img.src)}" alt="${escapeHtml(img.alt ?? '')}"${size}>${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`);
  } else if (img?.credit) {
    parts.push(`<p>${escapeHtml(img.credit)}</p>`);
  }
  parts.push(renderer.bodyHtml(a));
  if (a.source?.url) parts.push(`<p><a href="${escapeHtml(a.source.url)}">Original article link</a></p>`);
  if (a.corrections.length) {
    const tz = renderer.config.siteTimezone;
    const items = a.corrections.map((c) => `<li><time datetime="${isoDate(c.date.ms, tz)}">${escapeHtml(renderer.date(c.date).text)}</time>: ${escapeHtml(c.text)}</li>`);
    parts.push(`<h2>Corrections</h2><ul>${items.join('')}</ul>`);
  }
  const html = absolutizeHtml(parts.join('\n'), renderer.config.siteUrl, renderer.abs(a.url));
  perRenderer.set(a, html);
  return html;
}

function item(renderer: Renderer, a: Article): FeedItem {
  const c = renderer.config;
  return {
    id: feedId(a, c),
    url: renderer.abs(a.url),
    title: a.title,
    summary: a.description,
    html: feedContent(renderer, a),
    published: a.date.ms,
    modified: modifiedMs(a),
    authors: a.authors.map((n) => ({ name: n, url: renderer.abs(`/authors/${slugify(n)}/`) })),
    tags: a.tags,
    ...(a.image?.src ? { image: renderer.abs(a.image.src) } : {}),
    ...(a.source?.url ? { sourceUrl: a.source.url } : {}),
  };
}

/** The newest `limit` articles of a listing that are published at the view's instant (never drafts or scheduled ones, even in preview). */
export function newestPublished(view: SiteView, articles: readonly Article[], limit = FEED_SIZE): Article[] {
  const out: Article[] = [];
  for (const a of articles) {
    if (out.length >= limit) break;
    if (isPublished(a, view.now)) out.push(a);
  }
  return out;
}

interface FeedMeta {
  readonly title: string;
  readonly description: string;
  /** Absolute URL of the HTML page the feed follows. */
  readonly home: string;
  /** Absolute URL of the feed itself. */
  readonly self: string;
}

function lastModifiedOf(articles: readonly Article[]): number | undefined {
  let max = 0;
  for (const a of articles) max = Math.max(max, modifiedMs(a), ...a.corrections.map((x) => x.date.ms));
  return max > 0 ? max : undefined;
}

function siteMeta(renderer: Renderer, self: string): FeedMeta {
  const c = renderer.config;
  return { title: c.siteName, description: `The latest news from ${c.siteName}.`, home: renderer.abs('/'), self: renderer.abs(self) };
}

function rssDocument(renderer: Renderer, meta: FeedMeta, articles: readonly Article[]): Buffer {
  const c = renderer.config;
  const lastModified = lastModifiedOf(articles);
  const out: string[] = [
    XML_DECLARATION,
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
    el('title', meta.title),
    el('link', meta.home),
    el('description', meta.description),
    el('language', c.siteLang),
    `<atom:link${attributes({ href: meta.self, rel: 'self', type: 'application/rss+xml' })}/>`,
  ];
  if (lastModified !== undefined) out.push(el('lastBuildDate', httpDate(lastModified)));
  if (c.siteLogo) out.push(`<image>${el('url', renderer.abs(c.siteLogo))}${el('title', meta.title)}${el('link', meta.home)}</image>`);
  out.push('\n');
  // Bytes, not one string: a tag feed carries the full text of its articles (about 160 KB), and joining
  // that as a string cost more than rendering it (a fresh large string per feed, then encoded again).
  return Buffer.concat([Buffer.from(out.join(''), 'utf8'), ...articles.map((a) => rssItem(renderer, a)), RSS_END]);
}

const RSS_END = Buffer.from('</channel>\n</rss>\n', 'utf8');

// An article's <item> is the same in the site feed and in each of its tags' feeds: escape its full
// content once per (renderer, article), as feedContent renders it once, and keep it as UTF-8 bytes.
const rssItems: PerArticle<Buffer> = new WeakMap();

function rssItem(renderer: Renderer, a: Article): Buffer {
  const perRenderer = cacheOf(rssItems, renderer);
  const kept = perRenderer.get(a);
  if (kept !== undefined) return kept;
  const it = item(renderer, a);
  const xml = [
    '<item>',
    el('title', it.title),
    el('link', it.url),
    el('guid', it.id, { isPermaLink: 'false' }),
    el('pubDate', httpDate(it.published)),
    ...it.authors.map((p) => el('dc:creator', p.name)),
    ...it.tags.map((t) => el('category', t)),
    el('description', it.summary),
    el('content:encoded', it.html),
    '</item>\n',
  ].join('');
  const bytes = Buffer.from(xml, 'utf8');
  perRenderer.set(a, bytes);
  return bytes;
}

/**
 * Makes the article's RSS item now and lets go of the HTML it was made from (its rendered body and feed
 * content), unless it is one of the site's newest, which the Atom and JSON feeds also show. For the export,
 * which renders each article's page once, before the feeds: a tag feed needs only the item's bytes, and
 * keeping the HTML from the page to the feeds held about 40 MB of strings on 4,000 articles.
 */
export function settleFeedItem(renderer: Renderer, view: SiteView, a: Article): void {
  if (newestPublished(view, view.articles).includes(a)) return;
  rssItem(renderer, a);
  cacheOf(contentCache, renderer).delete(a);
  renderer.forgetBody(a);
}

/** RSS 2.0 of the newest published articles, full content in content:encoded, the summary in description. */
export function rssFeed(renderer: Renderer, view: SiteView): Rendered {
  const articles = newestPublished(view, view.articles);
  return { html: rssDocument(renderer, siteMeta(renderer, '/feed.xml'), articles), lastModified: lastModifiedOf(articles), deps: ['list'] };
}

/** RSS 2.0 of one tag's newest published articles; undefined for an unknown tag. */
export function tagRssFeed(renderer: Renderer, view: SiteView, slug: string): Rendered | undefined {
  const g = view.tags.get(slug);
  if (!g) return undefined;
  const c = renderer.config;
  const articles = newestPublished(view, g.articles);
  // A tag whose articles are all drafts or scheduled exists only in preview; it has no public feed.
  if (articles.length === 0) return undefined;
  const meta: FeedMeta = {
    title: `${g.name} – ${c.siteName}`,
    description: `Articles tagged ${g.name} on ${c.siteName}.`,
    home: renderer.abs(`/tags/${slug}/`),
    self: renderer.abs(`/tags/${slug}/feed.xml`),
  };
  return { html: rssDocument(renderer, meta, articles), lastModified: lastModifiedOf(articles), deps: [`tag:${slug}`] };
}

/** Atom 1.0: published and updated per entry (updated reflects front matter `updated`). */
export function atomFeed(renderer: Renderer, view: SiteView): Rendered {
  const c = renderer.config;
  const tz = c.siteTimezone;
  const articles = newestPublished(view, view.articles);
  const meta = siteMeta(renderer, '/atom.xml');
  const updated = articles.reduce((m, a) => Math.max(m, modifiedMs(a)), 0);
  const out: string[] = [
    XML_DECLARATION,
    `<feed xmlns="http://www.w3.org/2005/Atom"${attributes({ 'xml:lang': c.siteLang })}>\n`,
    el('id', meta.home),
    el('title', meta.title, { type: 'text' }),
    el('subtitle', meta.description, { type: 'text' }),
    el('updated', fastIsoDateTime(updated, tz)),
    `<link${attributes({ rel: 'alternate', type: 'text/html', href: meta.home })}/>`,
    `<link${attributes({ rel: 'self', type: 'application/atom+xml', href: meta.self })}/>`,
    // Atom needs an author for every entry; entries name theirs, the site stands in for any without.
    `<author>${el('name', c.siteName)}${el('uri', meta.home)}</author>`,
    c.siteLogo ? el('logo', renderer.abs(c.siteLogo)) : '',
    '\n',
  ];
  for (const a of articles) {
    const it = item(renderer, a);
    out.push(
      '<entry>',
      el('id', it.id),
      el('title', it.title, { type: 'text' }),
      `<link${attributes({ rel: 'alternate', type: 'text/html', href: it.url })}/>`,
      el('published', fastIsoDateTime(it.published, tz)),
      el('updated', fastIsoDateTime(it.modified, tz)),
      ...it.authors.map((p) => `<author>${el('name', p.name)}${el('uri', p.url)}</author>`),
      ...it.tags.map((t) => `<category${attributes({ term: t })}/>`),
      el('summary', it.summary, { type: 'text' }),
      el('content', it.html, { type: 'html' }),
      '</entry>\n',
    );
  }
  out.push('</feed>\n');
  return { html: out.join(''), lastModified: lastModifiedOf(articles), deps: ['list'] };
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function jsonFeed(renderer: Renderer, view: SiteView): Rendered {
  const c = renderer.config;
  const tz = c.siteTimezone;
  const articles = newestPublished(view, view.articles);
  const meta = siteMeta(renderer, '/feed.json');
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.home,
    feed_url: meta.self,
    description: meta.description,
    language: c.siteLang,
    ...(c.siteLogo ? { icon: renderer.abs(c.siteLogo) } : {}),
    authors: [{ name: c.siteName, url: meta.home }],
    items: articles.map((a) => {
      const it = item(renderer, a);
      return {
        id: it.id,
        url: it.url,
        ...(it.sourceUrl ? { external_url: it.sourceUrl } : {}),
        title: it.title,
        content_html: it.html,
        summary: it.summary,
        ...(it.image ? { image: it.image } : {}),
        date_published: fastIsoDateTime(it.published, tz),
        date_modified: fastIsoDateTime(it.modified, tz),
        authors: it.authors,
        ...(it.tags.length ? { tags: it.tags } : {}),
        language: c.siteLang,
      };
    }),
  };
  return { html: `${JSON.stringify(doc)}\n`, lastModified: lastModifiedOf(articles), deps: ['list'] };
}
