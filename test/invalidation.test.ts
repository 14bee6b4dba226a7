// Incremental invalidation: when one article changes among many, exactly the pages that show it (or whose
// content changes because of it) are dropped from the page cache, every other page stays cached, and no
// cached page is ever stale. Checked against a freshly built app on the new content.

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ContentStore, type Clock } from '../src/ContentStore.js';
import type { SiteView } from '../src/content/SiteView.js';
import type { SitePages } from '../src/http/SitePages.js';
import { closeSites, fixedClock, makeSite, md, type TestSite } from './helpers/site.js';

afterEach(closeSites);

const PAGE_SIZE = 5;
const TAGS = ['Energy', 'Courts', 'Housing', 'Transport', 'Health', 'Schools'];
const AUTHORS = ['Ana Ruiz', 'Ben Okafor', 'Chen Wei'];
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1, 10);

/** Small seeded PRNG so the scenario is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Spec {
  title: string;
  day: number;
  tags: string[];
  author: string;
}

function articleFile(s: Spec): string {
  const date = new Date(T0 + s.day * DAY).toISOString().replace('.000Z', 'Z');
  const tags = s.tags.length ? `\ntags: [${s.tags.map((t) => `"${t}"`).join(', ')}]` : '';
  return md(`title: "${s.title}"\ndate: ${date}\nauthor: ${s.author}\nsummary: "Summary of ${s.title}."${tags}`, `Body of ${s.title}.`);
}

function corpus(n: number, seed = 7): Map<string, Spec> {
  const r = rng(seed);
  const specs = new Map<string, Spec>();
  for (let i = 0; i < n; i++) {
    const tags = TAGS.filter(() => r() < 0.3);
    specs.set(`story-${i}`, { title: `Story ${i}`, day: i, tags, author: AUTHORS[Math.floor(r() * AUTHORS.length)]! });
  }
  return specs;
}

async function open(specs: Map<string, Spec>, clock?: Clock & { set(ms: number): void }): Promise<TestSite> {
  const files: Record<string, string> = {};
  for (const [slug, s] of specs) files[`${slug}.md`] = articleFile(s);
  return makeSite(files, { env: { PAGE_SIZE: String(PAGE_SIZE) }, ...(clock ? { clock } : {}) });
}

function write(site: TestSite, slug: string, spec: Spec | undefined): void {
  const file = path.join(site.contentDir, `${slug}.md`);
  if (spec) writeFileSync(file, articleFile(spec));
  else rmSync(file);
}

async function reload(site: TestSite): Promise<void> {
  site.store.setContent(await site.loader.load());
}

const pageCount = (n: number): number => Math.max(1, Math.ceil(n / PAGE_SIZE));
const pagePath = (base: string, n: number): string => (n === 1 ? base : `${base}page/${n}/`);

/** Every article, home, tag and author page of a view. */
function allPaths(view: SiteView): string[] {
  const out = view.articles.map((a) => a.url);
  for (let n = 1; n <= pageCount(view.articles.length); n++) out.push(pagePath('/', n));
  for (const [kind, groups] of [['tags', view.tags], ['authors', view.authors]] as const) {
    for (const g of groups.values()) for (let n = 1; n <= pageCount(g.articles.length); n++) out.push(pagePath(`/${kind}/${g.slug}/`, n));
  }
  return out;
}

/** Renders (or takes from the cache) the page at `p` through SitePages; undefined when there is none. */
function body(pages: SitePages, p: string): Buffer | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^\/articles\/([a-z0-9-]+)\/$/.exec(p))) return pages.article(m[1]!)?.identity.body;
  if ((m = /^\/(?:page\/(\d+)\/)?$/.exec(p))) return pages.home(Number(m[1] ?? 1))?.identity.body;
  if ((m = /^\/(tags|authors)\/([a-z0-9-]+)\/(?:page\/(\d+)\/)?$/.exec(p))) {
    const n = Number(m[3] ?? 1);
    return (m[1] === 'tags' ? pages.tag(m[2]!, n) : pages.author(m[2]!, n))?.identity.body;
  }
  throw new Error(`unexpected path ${p}`);
}

/** Renders every page so that all are cached; returns their bodies. */
function warm(site: TestSite): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const p of allPaths(site.store.view)) out.set(p, body(site.app.pages, p)!);
  return out;
}

/** A new app on the site's current content: what every page should look like now. */
function fresh(site: TestSite): { pages: SitePages; dispose(): void } {
  const store = new ContentStore(site.store.content, { preview: site.config.preview, clock: site.store.clock });
  const app = createApp(site.config, store, { loader: site.loader });
  return { pages: app.pages, dispose: () => store.dispose() };
}

/**
 * After a change to `changed` (slugs): no cached page differs from a fresh render, and the pages dropped are
 * exactly those that link to a changed article before or after, or whose content changed.
 */
function checkExact(site: TestSite, before: Map<string, Buffer>, changed: readonly string[]): Set<string> {
  const now = fresh(site);
  try {
    const dropped = new Set<string>();
    const expected = new Set<string>();
    for (const [p, old] of before) {
      const cached = site.app.pages.cache.has(p);
      const next = body(now.pages, p);
      if (cached) expect(site.app.pages.cache.get(p)!.identity.body.equals(next ?? Buffer.alloc(0)), `stale page ${p}`).toBe(true);
      else dropped.add(p);
      const links = (b: Buffer | undefined): boolean => b !== undefined && changed.some((s) => b.includes(`href="/articles/${s}/"`));
      const own = changed.some((s) => p === `/articles/${s}/`);
      if (own || !next || !old.equals(next) || links(old) || links(next)) expected.add(p);
    }
    expect([...dropped].sort()).toEqual([...expected].sort());
    return dropped;
  } finally {
    now.dispose();
  }
}

describe('invalidation after one article changes among many', () => {
  it('drops that article, the listing, tag and author pages showing it, and the related boxes it is in; nothing else', async () => {
    const specs = corpus(40);
    const site = await open(specs);
    const before = warm(site);
    await request(site.app).get('/feed.xml').expect(200);
    await request(site.app).get('/sitemap.xml').expect(200);
    const cachedBefore = site.app.pages.cache.size;
    expect(cachedBefore).toBeGreaterThan(70);

    // A story in some related box, on home page 3 to 5 (newest first: stories 39..35, 34..30, 29..25...).
    const inABox = (i: number): boolean => [...before].some(([p, b]) => p.startsWith('/articles/') && p !== `/articles/story-${i}/` && b.includes(`href="/articles/story-${i}/"`));
    const n = [29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15].find((i) => inABox(i))!;
    const homePage = pagePath('/', Math.floor((39 - n) / PAGE_SIZE) + 1);
    const slug = `story-${n}`;
    const x = specs.get(slug)!;
    write(site, slug, { ...x, title: `Story ${n}, corrected` });
    const invalidatedBefore = site.app.pages.cache.stats.invalidated;
    await reload(site);
    const dropped = checkExact(site, before, [slug]);

    expect(dropped).toContain(`/articles/${slug}/`);
    expect(dropped).toContain(homePage);
    expect(dropped).not.toContain('/');
    expect(dropped).not.toContain('/page/2/');
    expect([...dropped].some((p) => p.startsWith(`/authors/${x.author.toLowerCase().replace(' ', '-')}/`))).toBe(true);
    for (const t of x.tags) expect([...dropped].some((p) => p.startsWith(`/tags/${t.toLowerCase()}/`))).toBe(true);
    // Its tags put it in other articles' related boxes.
    expect([...dropped].filter((p) => p.startsWith('/articles/')).length).toBeGreaterThan(1);
    // Unrelated articles stay cached.
    const untouched = allPaths(site.store.view).filter((p) => p.startsWith('/articles/') && !dropped.has(p));
    expect(untouched.length).toBeGreaterThan(20);
    for (const p of untouched) expect(site.app.pages.cache.has(p)).toBe(true);
    // The feed shows the 20 newest, the story among them; both it and the sitemap are dropped.
    expect(site.app.pages.cache.has('/feed.xml')).toBe(false);
    expect(site.app.pages.cache.has('/sitemap.xml')).toBe(false);
    expect(site.app.pages.cache.stats.invalidated - invalidatedBefore).toBe(dropped.size + 2);

    const res = await request(site.app).get(`/articles/${slug}/`).expect(200);
    expect(res.text).toContain(`Story ${n}, corrected`);
  });

  it('drops the article pages whose related box the changed article enters or leaves', async () => {
    const specs = corpus(40);
    const site = await open(specs);
    const before = warm(site);
    // Give story 3 every tag: it now shares the most tags with many articles, entering their boxes.
    write(site, 'story-3', { ...specs.get('story-3')!, tags: [...TAGS] });
    await reload(site);
    const dropped = checkExact(site, before, ['story-3']);
    const entered = [...dropped].filter((p) => p.startsWith('/articles/') && p !== '/articles/story-3/' && !before.get(p)!.includes('href="/articles/story-3/"'));
    expect(entered.length).toBeGreaterThan(0);

    // And back: it leaves those boxes again.
    const again = warm(site);
    write(site, 'story-3', { ...specs.get('story-3')!, tags: [] });
    await reload(site);
    const left = checkExact(site, again, ['story-3']);
    expect([...left].filter((p) => p.startsWith('/articles/')).length).toBeGreaterThan(1);
  });

  it('keeps every cached page equal to a fresh render through 20 random edits, adds and deletes', async () => {
    const specs = corpus(24, 11);
    const site = await open(specs);
    const r = rng(99);
    let next = 100;
    for (let step = 0; step < 20; step++) {
      const before = warm(site);
      const slugs = [...specs.keys()];
      const slug = slugs[Math.floor(r() * slugs.length)]!;
      const spec = specs.get(slug)!;
      const op = Math.floor(r() * 5);
      let changed = [slug];
      if (op === 0) specs.set(slug, { ...spec, title: `${spec.title} (edited ${step})` });
      else if (op === 1) specs.set(slug, { ...spec, day: Math.floor(r() * 60) });
      else if (op === 2) specs.set(slug, { ...spec, tags: TAGS.filter(() => r() < 0.4) });
      else if (op === 3 && specs.size > 10) specs.delete(slug);
      else {
        const added = `story-${next++}`;
        specs.set(added, { title: `New story ${step}`, day: Math.floor(r() * 60), tags: TAGS.filter(() => r() < 0.3), author: AUTHORS[step % 3]! });
        changed = [added];
      }
      write(site, changed[0]!, specs.get(changed[0]!));
      await reload(site);
      checkExact(site, before, changed);
    }
  });

  it('drops the listings at the moment a scheduled article goes live, and not before', async () => {
    const clock = fixedClock(T0 + 50 * DAY);
    const specs = corpus(20);
    const site = await open(specs, clock);
    const goLive = T0 + 50 * DAY + 3_600_000;
    write(site, 'scheduled-story', { title: 'Scheduled story', day: 50 + 1 / 24, tags: ['Energy'], author: 'Ana Ruiz' });
    await reload(site);
    expect(site.store.view.bySlug.has('scheduled-story')).toBe(false);
    const before = warm(site);

    clock.set(goLive - 1);
    site.store.tick();
    for (const p of before.keys()) expect(site.app.pages.cache.has(p)).toBe(true);

    clock.set(goLive);
    site.store.tick();
    expect(site.store.view.bySlug.has('scheduled-story')).toBe(true);
    const dropped = checkExact(site, before, ['scheduled-story']);
    expect(dropped).toContain('/');
    expect(dropped).toContain('/tags/energy/');
    expect(dropped).toContain('/authors/ana-ruiz/');
    expect([...dropped].filter((p) => p.startsWith('/articles/')).length).toBeLessThan(before.size / 2);
    const home = await request(site.app).get('/').expect(200);
    expect(home.text).toContain('Scheduled story');
  });
});
