// sitemap.xml (or, past the protocol's 50,000 URLs, a sitemap index of sitemap-N.xml parts), the Google
// News sitemap and robots.txt. Only what a search engine should index goes in: published articles that
// are neither `noindex` nor canonical elsewhere, the home page, pages, and tag and author pages.

import type { Config } from '../config.js';
import { fastIsoDateTime } from './fastIsoDateTime.js';
import type { Article } from '../content/model.js';
import { isPublished, modifiedMs, type SiteView } from '../content/SiteView.js';
import { NEWS_WINDOW_MS } from '../ContentStore.js';
import type { Rendered } from './Renderer.js';
import { el, XML_DECLARATION } from './xml.js';

/** URLs per sitemap file, from the sitemaps.org protocol. */
export const SITEMAP_URL_LIMIT = 50_000;
/** URLs in a news sitemap, from Google's News sitemap guidelines. */
export const NEWS_URL_LIMIT = 1_000;

export const XML_TYPE = 'application/xml; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

interface SitemapUrl {
  readonly loc: string;
  readonly lastmod?: number;
}

/** An article search engines should index: published now, not noindex, not declared a copy of another URL. */
export function indexable(a: Article, view: SiteView, config: Config): boolean {
  if (!isPublished(a, view.now) || a.noindex) return false;
  return a.canonical === undefined || a.canonical === `${config.siteUrl}${a.url}`;
}

/** Every URL of the sitemap, in a stable order: home, articles (listing order), pages, tags, authors. */
export function sitemapUrls(view: SiteView, config: Config): SitemapUrl[] {
  const abs = (p: string): string => `${config.siteUrl}${p}`;
  // One pass reads each article's fields; tag and author groups then only look articles up by identity
  // (with 10,000 articles in 200 tags, that is 10,000 field reads instead of 50,000).
  const modified = new Map<Article, number>();
  for (const a of view.articles) if (isPublished(a, view.now)) modified.set(a, modifiedMs(a));
  const newestOf = (articles: readonly Article[]): number | undefined => {
    let max: number | undefined;
    for (const a of articles) {
      const m = modified.get(a);
      if (m !== undefined && (max === undefined || m > max)) max = m;
    }
    return max;
  };
  const urls: SitemapUrl[] = [];
  const home = newestOf(view.articles);
  urls.push(home !== undefined ? { loc: abs('/'), lastmod: home } : { loc: abs('/') });
  for (const a of view.articles) {
    const lastmod = modified.get(a);
    if (lastmod !== undefined && indexable(a, view, config)) urls.push({ loc: abs(a.url), lastmod });
  }
  for (const p of view.pages) urls.push({ loc: abs(p.url) });
  for (const [prefix, groups] of [
    ['tags', view.tags],
    ['authors', view.authors],
  ] as const) {
    for (const g of groups.values()) {
      // In preview a group can hold only drafts; its page is not public.
      const lastmod = newestOf(g.articles);
      if (lastmod !== undefined) urls.push({ loc: abs(`/${prefix}/${g.slug}/`), lastmod });
    }
  }
  return urls;
}

function newest(urls: readonly SitemapUrl[]): number | undefined {
  let max: number | undefined;
  for (const u of urls) if (u.lastmod !== undefined) max = Math.max(max ?? 0, u.lastmod);
  return max;
}

function urlset(urls: readonly SitemapUrl[], tz: string): string {
  const out = [XML_DECLARATION, `<urlset xmlns="${SITEMAP_NS}">\n`];
  for (const u of urls) out.push('<url>', el('loc', u.loc), u.lastmod !== undefined ? el('lastmod', fastIsoDateTime(u.lastmod, tz)) : '', '</url>\n');
  out.push('</urlset>\n');
  return out.join('');
}

/** /sitemap.xml: a urlset, or a sitemap index of /sitemap-1.xml... when there are more than `limit` URLs. */
export function sitemap(view: SiteView, config: Config, limit = SITEMAP_URL_LIMIT): Rendered {
  const urls = sitemapUrls(view, config);
  const tz = config.siteTimezone;
  if (urls.length <= limit) return { html: urlset(urls, tz), lastModified: newest(urls), deps: ['list'] };
  const out = [XML_DECLARATION, `<sitemapindex xmlns="${SITEMAP_NS}">\n`];
  for (let i = 0; i * limit < urls.length; i++) {
    const lastmod = newest(urls.slice(i * limit, (i + 1) * limit));
    out.push('<sitemap>', el('loc', `${config.siteUrl}/sitemap-${i + 1}.xml`), lastmod !== undefined ? el('lastmod', fastIsoDateTime(lastmod, tz)) : '', '</sitemap>\n');
  }
  out.push('</sitemapindex>\n');
  return { html: out.join(''), lastModified: newest(urls), deps: ['list'] };
}

/** /sitemap-<n>.xml: the n-th part (1-based) when the sitemap is an index; undefined otherwise. */
export function sitemapPart(view: SiteView, config: Config, n: number, limit = SITEMAP_URL_LIMIT): Rendered | undefined {
  // An upper bound on the URL count answers most requests for parts that cannot exist without building the list.
  const most = 1 + view.articles.length + view.pages.length + view.tags.size + view.authors.size;
  if (!Number.isInteger(n) || n < 1 || most <= limit || (n - 1) * limit >= most) return undefined;
  const urls = sitemapUrls(view, config);
  if (urls.length <= limit || !Number.isInteger(n) || n < 1 || (n - 1) * limit >= urls.length) return undefined;
  const part = urls.slice((n - 1) * limit, n * limit);
  return { html: urlset(part, config.siteTimezone), lastModified: newest(part), deps: ['list'] };
}

/**
 * Google News wants an ISO 639 code ("en", not "en-GB"), except for Chinese, which it distinguishes as
 * zh-cn and zh-tw.
 */
export function newsLanguage(lang: string): string {
  const l = lang.toLowerCase();
  if (/^zh-(cn|hans|sg)/.test(l)) return 'zh-cn';
  if (/^zh-(tw|hant|hk|mo)/.test(l)) return 'zh-tw';
  return l.split('-')[0]!;
}

/** /news-sitemap.xml: indexable articles published in the 2 days before the view's instant, newest first, at most 1,000. */
export function newsSitemap(view: SiteView, config: Config, limit = NEWS_URL_LIMIT): Rendered {
  const tz = config.siteTimezone;
  const out = [XML_DECLARATION, `<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">\n`];
  const publication = `<news:publication>${el('news:name', config.siteName)}${el('news:language', newsLanguage(config.siteLang))}</news:publication>`;
  let count = 0;
  let lastModified: number | undefined;
  for (const a of view.articles) {
    // Listing order is newest first: once past the window, every later article is older still.
    if (a.date.ms + NEWS_WINDOW_MS <= view.now) break;
    if (count >= limit) break;
    if (!indexable(a, view, config)) continue;
    count++;
    lastModified = Math.max(lastModified ?? 0, modifiedMs(a));
    out.push(
      '<url>',
      el('loc', `${config.siteUrl}${a.url}`),
      '<news:news>',
      publication,
      el('news:publication_date', fastIsoDateTime(a.date.ms, tz)),
      el('news:title', a.title),
      '</news:news>',
      '</url>\n',
    );
  }
  out.push('</urlset>\n');
  // 'time': the store invalidates it when an article leaves the 2-day window with no content change.
  return { html: out.join(''), lastModified, deps: ['list', 'time'] };
}

/** /robots.txt: crawl everything and find both sitemaps; a preview server asks crawlers to stay out. */
export function robotsTxt(config: Config): Rendered {
  const lines = ['User-agent: *', config.preview ? 'Disallow: /' : 'Disallow:', '', `Sitemap: ${config.siteUrl}/sitemap.xml`, `Sitemap: ${config.siteUrl}/news-sitemap.xml`, ''];
  return { html: lines.join('\n'), lastModified: undefined, deps: [] };
}
