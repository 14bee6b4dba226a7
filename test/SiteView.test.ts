// updateSiteView: an in-place edit must give exactly the view a full rebuild gives, and anything that
// changes order or indexes must fall back to the full rebuild.
import { afterEach, describe, expect, it } from 'vitest';
import { ContentLoader, type ContentState } from '../src/content/ContentLoader.js';
import { buildSiteView, updateSiteView, type SiteView } from '../src/content/SiteView.js';
import { md, removeDir, tempDir, writeFiles } from './helpers/site.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

const NOW = Date.parse('2026-01-01T00:00:00Z');

async function loaded(): Promise<{ loader: ContentLoader; root: string; state: ContentState }> {
  const root = tempDir();
  dirs.push(root);
  writeFiles(root, {
    'a.md': md('title: Alpha\ndate: 2025-01-03\nauthor: Ann Lee\ntags: [Energy & Power, Niger]', 'Alpha body.'),
    'b.md': md('title: Beta\ndate: 2025-01-02\nauthor: [Ann Lee, Bo Chen]\ntags: [energy power]\naliases: [/old-beta]', 'Beta body.'),
    'c.md': md('title: Gamma\ndate: 2025-01-01\nauthor: Bo Chen', 'Gamma body.'),
    'd.md': md('title: Delta\ndate: 2025-01-04\nauthor: Bo Chen\ndraft: true', 'Delta body.'),
  });
  const loader = new ContentLoader({ contentDir: root, publicDir: root, timezone: 'UTC', maxBytes: 1 << 20, keepLastGood: true });
  return { loader, root, state: await loader.load() };
}

function shape(v: SiteView): unknown {
  const group = (m: SiteView['tags']) => [...m.values()].map((g) => [g.slug, g.name, g.articles.map((a) => a.title)]);
  return {
    articles: v.articles.map((a) => `${a.slug}:${a.title}:${a.summary ?? ''}`),
    bySlug: [...v.bySlug.entries()].map(([k, a]) => [k, a.title]),
    tags: group(v.tags),
    authors: group(v.authors),
    aliases: [...v.aliases.entries()].map(([k, a]) => [k, a.title]),
    lastModified: v.lastModified,
    nextScheduled: v.nextScheduled,
  };
}

describe('updateSiteView', () => {
  it('an edit of title, summary and body gives the same view as a full rebuild, with the new objects', async () => {
    const { loader, root, state } = await loaded();
    const prev = buildSiteView(state, NOW, false);
    writeFiles(root, { 'b.md': md('title: Beta, revised\nsummary: New summary.\ndate: 2025-01-02\nupdated: 2025-06-01\nauthor: [Ann Lee, Bo Chen]\ntags: [energy power]\naliases: [/old-beta]', 'Beta body, revised.') });
    const next = await loader.load();
    const fast = updateSiteView(prev, state, next, NOW + 1000);
    expect(fast).toBeDefined();
    expect(shape(fast!)).toEqual(shape(buildSiteView(next, NOW + 1000, false)));
    expect(fast!.bySlug.get('b')!.title).toBe('Beta, revised');
    expect(fast!.tags.get('energy-power')!.articles.map((a) => a.title)).toEqual(['Alpha', 'Beta, revised']);
    expect(fast!.lastModified).toBe(Date.parse('2025-06-01T00:00:00Z'));
    expect(fast!.now).toBe(NOW + 1000);
  });

  it.each([
    ['a new date (order changes)', md('title: Beta\ndate: 2025-02-02\nauthor: [Ann Lee, Bo Chen]\ntags: [energy power]\naliases: [/old-beta]')],
    ['another tag', md('title: Beta\ndate: 2025-01-02\nauthor: [Ann Lee, Bo Chen]\ntags: [Niger]\naliases: [/old-beta]')],
    ['another author', md('title: Beta\ndate: 2025-01-02\nauthor: Ann Lee\ntags: [energy power]\naliases: [/old-beta]')],
    ['another alias', md('title: Beta\ndate: 2025-01-02\nauthor: [Ann Lee, Bo Chen]\ntags: [energy power]\naliases: [/older-beta]')],
    ['becoming a draft', md('title: Beta\ndate: 2025-01-02\nauthor: [Ann Lee, Bo Chen]\ntags: [energy power]\naliases: [/old-beta]\ndraft: true')],
  ])('falls back to a full rebuild for %s', async (_what, text) => {
    const { loader, root, state } = await loaded();
    const prev = buildSiteView(state, NOW, false);
    writeFiles(root, { 'b.md': text });
    expect(updateSiteView(prev, state, await loader.load(), NOW)).toBeUndefined();
  });

  it('falls back when a file is added or a scheduled article has gone live', async () => {
    const { loader, root, state } = await loaded();
    const prev = buildSiteView(state, NOW, false);
    writeFiles(root, { 'e.md': md('title: Epsilon\ndate: 2025-01-05\nauthor: Ann Lee') });
    expect(updateSiteView(prev, state, await loader.load(), NOW)).toBeUndefined();

    const { state: s2 } = await loaded();
    const early = buildSiteView(s2, Date.parse('2024-12-31T00:00:00Z'), false);
    expect(early.nextScheduled).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(updateSiteView(early, s2, s2, NOW)).toBeUndefined();
  });
});
