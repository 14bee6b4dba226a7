// What readers can see at one instant: the published articles in listing order and the indexes pages need.
// Built from a ContentState for a given time; never mutated, so a request holding one sees one consistent site.

import { slugify } from '../slug.js';
import type { ContentState } from './ContentLoader.js';
import type { Article, Page } from './model.js';

export interface Group {
  readonly slug: string;
  /** The first spelling seen (in listing order) names the page. */
  readonly name: string;
  readonly articles: readonly Article[];
}

export interface SiteView {
  readonly now: number;
  readonly preview: boolean;
  readonly articles: readonly Article[];
  readonly bySlug: ReadonlyMap<string, Article>;
  readonly tags: ReadonlyMap<string, Group>;
  readonly authors: ReadonlyMap<string, Group>;
  /** aliasKey(path) -> article */
  readonly aliases: ReadonlyMap<string, Article>;
  readonly pages: readonly Page[];
  readonly pagesBySlug: ReadonlyMap<string, Page>;
  /** The next instant at which the set of visible articles changes by time alone. */
  readonly nextScheduled: number | undefined;
  /** The newest date or updated among visible articles (for Last-Modified of site-wide pages). */
  readonly lastModified: number;
}

/** Listing order: newest date first, then slug. */
export function compareArticles(a: Article, b: Article): number {
  return b.date.ms - a.date.ms || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

export function isPublished(a: Article, now: number): boolean {
  return !a.draft && a.date.ms <= now;
}

export function modifiedMs(a: Article): number {
  return Math.max(a.date.ms, a.updated?.ms ?? 0);
}

function group(map: Map<string, { slug: string; name: string; articles: Article[] }>, name: string, a: Article): void {
  const slug = slugify(name);
  if (!slug) return;
  let g = map.get(slug);
  if (!g) {
    g = { slug, name, articles: [] };
    map.set(slug, g);
  }
  if (g.articles[g.articles.length - 1] !== a) g.articles.push(a);
}

export function buildSiteView(state: ContentState, now: number, preview: boolean): SiteView {
  const visible: Article[] = [];
  let nextScheduled: number | undefined;
  for (const a of state.articles) {
    if (preview || isPublished(a, now)) visible.push(a);
    if (!a.draft && a.date.ms > now && (nextScheduled === undefined || a.date.ms < nextScheduled)) nextScheduled = a.date.ms;
  }
  visible.sort(compareArticles);
  const bySlug = new Map<string, Article>();
  const tags = new Map<string, { slug: string; name: string; articles: Article[] }>();
  const authors = new Map<string, { slug: string; name: string; articles: Article[] }>();
  const aliases = new Map<string, Article>();
  let lastModified = 0;
  for (const a of visible) {
    bySlug.set(a.slug, a);
    for (const t of a.tags) group(tags, t, a);
    for (const n of a.authors) group(authors, n, a);
    for (const al of a.aliases) aliases.set(al, a);
    lastModified = Math.max(lastModified, modifiedMs(a));
  }
  const pages = [...state.pages].sort((x, y) => x.order - y.order || x.title.localeCompare(y.title));
  return {
    now,
    preview,
    articles: visible,
    bySlug,
    tags,
    authors,
    aliases,
    pages,
    pagesBySlug: new Map(pages.map((p) => [p.slug, p])),
    nextScheduled: preview ? undefined : nextScheduled,
    lastModified,
  };
}
