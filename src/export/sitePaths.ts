// Every URL the site answers with a page or document, discovered from the SiteView (articles, pages,
// tags, authors and their pagination) plus the site-wide documents every site has. The order is the work
// order: article pages first, so their rendered bodies are already cached in a worker by the time the
// feeds that embed them are rendered.

import type { Config } from '../config.js';
import type { SiteView } from '../content/SiteView.js';

export type PathKind = 'article' | 'page' | 'listing' | 'document' | 'asset' | 'public';

export interface SitePath {
  readonly url: string;
  readonly kind: PathKind;
}

/** Site-wide documents; sitemap parts (/sitemap-N.xml) are found by reading /sitemap.xml. */
export const SITE_DOCUMENTS = ['/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/news-sitemap.xml', '/robots.txt'] as const;

/** The path of page `n` of a listing whose first page is `base` (which ends with "/"). */
export function listingPath(base: string, n: number): string {
  return n === 1 ? base : `${base}page/${n}/`;
}

export function pageCount(articles: number, pageSize: number): number {
  return Math.max(1, Math.ceil(articles / pageSize));
}

export function sitePaths(view: SiteView, config: Config, assetUrls: readonly string[]): SitePath[] {
  const out: SitePath[] = [];
  for (const a of view.articles) out.push({ url: a.url, kind: 'article' });
  for (const p of view.pages) out.push({ url: p.url, kind: 'page' });
  const listing = (base: string, count: number): void => {
    for (let n = 1, last = pageCount(count, config.pageSize); n <= last; n++) out.push({ url: listingPath(base, n), kind: 'listing' });
  };
  listing('/', view.articles.length);
  for (const g of view.tags.values()) listing(`/tags/${g.slug}/`, g.articles.length);
  for (const g of view.authors.values()) listing(`/authors/${g.slug}/`, g.articles.length);
  for (const url of assetUrls) out.push({ url, kind: 'asset' });
  for (const url of SITE_DOCUMENTS) out.push({ url, kind: 'document' });
  for (const g of view.tags.values()) out.push({ url: `/tags/${g.slug}/feed.xml`, kind: 'document' });
  return out;
}

/** The sitemap parts a sitemap index lists (site-relative), or none when `xml` is a plain urlset. */
export function sitemapParts(xml: string, siteUrl: string): string[] {
  if (!/<sitemapindex[\s>]/.test(xml)) return [];
  const out: string[] = [];
  for (const m of xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)) {
    const loc = m[1]!.replace(/&amp;/g, '&');
    if (!loc.startsWith(`${siteUrl}/`)) continue;
    const p = loc.slice(siteUrl.length);
    // Only plain file names at the root: nothing from a document may steer where a file is written.
    if (/^\/[a-z0-9][a-z0-9_-]*\.xml$/.test(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * Where a URL's body is written, relative to the output folder: `/a/b/` -> `a/b/index.html`,
 * `/feed.xml` -> `feed.xml`. Undefined for anything that could leave the folder.
 */
export function outputFile(urlPath: string): string | undefined {
  if (!urlPath.startsWith('/') || urlPath.includes('\\') || urlPath.includes('\0')) return undefined;
  const segments = urlPath.slice(1).split('/');
  const file = urlPath.endsWith('/') ? [...segments.slice(0, -1), 'index.html'] : segments;
  if (file.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return file.join('/');
}
