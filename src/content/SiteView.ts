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

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The common live edit, one article's text changed in place, without re-sorting and re-indexing the whole
 * site: when no file was added or removed and every changed article keeps its slug, date, draft flag, tags,
 * authors and aliases, the previous view's order and indexes still hold, with the new objects substituted.
 * Returns undefined whenever that is not so (the caller then builds the view from scratch).
 */
export function updateSiteView(prev: SiteView, prevState: ContentState, state: ContentState, now: number): SiteView | undefined {
  if (prevState.articles.length !== state.articles.length || prevState.pages.length !== state.pages.length) return undefined;
  if (state.pages.some((p, i) => p !== prevState.pages[i])) return undefined;
  // Something scheduled went live since the previous view: visibility changed.
  if (prev.nextScheduled !== undefined && prev.nextScheduled <= now) return undefined;
  const replaced = new Map<Article, Article>();
  for (let i = 0; i < state.articles.length; i++) {
    const a = prevState.articles[i]!;
    const b = state.articles[i]!;
    if (a === b) continue;
    if (a.slug !== b.slug || a.date.ms !== b.date.ms || a.draft !== b.draft || !sameList(a.tags, b.tags) || !sameList(a.authors, b.authors) || !sameList(a.aliases, b.aliases)) {
      return undefined;
    }
    replaced.set(a, b);
  }
  if (replaced.size === 0) return { ...prev, now };
  const swap = (list: readonly Article[]): Article[] => list.map((x) => replaced.get(x) ?? x);
  const articles = swap(prev.articles);
  const bySlug = new Map(prev.bySlug);
  const aliases = new Map(prev.aliases);
  const tags = new Map(prev.tags);
  const authors = new Map(prev.authors);
  for (const [before, after] of replaced) {
    if (!prev.bySlug.has(before.slug)) continue; // a draft or scheduled article: not in the view
    bySlug.set(after.slug, after);
    for (const al of after.aliases) aliases.set(al, after);
    for (const [map, names] of [[tags, after.tags], [authors, after.authors]] as const) {
      for (const name of names) {
        const g = map.get(slugify(name));
        if (g) map.set(g.slug, { ...g, articles: swap(g.articles) });
      }
    }
  }
  let lastModified = 0;
  for (const a of articles) lastModified = Math.max(lastModified, modifiedMs(a));
  return { ...prev, now, articles, bySlug, tags, authors, aliases, lastModified };
}
