// Listings: home, tag and author pages with pagination; names to slugs; reading time; related articles;
// and drafts or scheduled articles never leaking into a listing, feed or sitemap.

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { slugify } from '../src/slug.js';
import { decodeEntities, elements, textOf } from './helpers/html.js';
import { closeSites, fixedClock, makeSite, md, type Files, type TestSite } from './helpers/site.js';

afterEach(closeSites);

const E = 'https://news.example';
const NOW = Date.parse('2024-06-10T12:00:00Z');
const n2 = (i: number): string => String(i).padStart(2, '0');

/** s01..s25 dated 2024-05-01..25; s01-s12 and s25 tagged Niger (13: two tag pages); every third by José Álvarez. */
function newsroom(): Files {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 25; i++) {
    const tags = [...(i <= 12 || i === 25 ? ['Niger'] : [])];
    if (i === 25) tags.push('Energy & Power', "Côte d'Ivoire");
    if (i === 24) tags.push('Energy power', 'U.S. military');
    const author = i === 23 ? "[Dr. A.B. Smith, Mary O'Brien]" : i % 3 === 0 ? 'José Álvarez' : 'Ann Lee';
    files[`s${n2(i)}.md`] = md(`title: Story ${n2(i)}\ndate: 2024-05-${n2(i)}\nauthor: ${author}${tags.length ? `\ntags: ${JSON.stringify(tags)}` : ''}`, `Text of story ${n2(i)}.`);
  }
  files['draft-story.md'] = md('title: Draft story\ndate: 2024-06-01\nauthor: Ghost Writer\ntags: [Niger, Secret Tag]\ndraft: true', 'Draft text.');
  files['scheduled-story.md'] = md('title: Scheduled story\ndate: 2024-07-01\nauthor: Ghost Writer\ntags: [Niger, Secret Tag]', 'Later text.');
  return files;
}

async function site(env: Record<string, string> = {}, files: Files = newsroom()): Promise<TestSite> {
  return makeSite(files, { clock: fixedClock(NOW), env });
}

/** Headline texts of a listing page, in order. */
function headlines(html: string): string[] {
  return elements(html, 'h2').map(textOf);
}
const range = (from: number, to: number): string[] => {
  const out: string[] = [];
  for (let i = from; from >= to ? i >= to : i <= to; from >= to ? i-- : i++) out.push(`Story ${n2(i)}`);
  return out;
};

function relLinks(html: string): { prev?: string; next?: string; canonical?: string } {
  const h = html.slice(0, html.indexOf('</head>'));
  const get = (rel: string): string | undefined => new RegExp(`<link rel="${rel}" href="([^"]*)">`).exec(h)?.[1];
  const out: { prev?: string; next?: string; canonical?: string } = {};
  for (const rel of ['prev', 'next', 'canonical'] as const) {
    const v = get(rel);
    if (v !== undefined) out[rel] = decodeEntities(v);
  }
  return out;
}

describe('home pagination', () => {
  it('shows PAGE_SIZE articles per page, newest first, with rel prev/next and canonical', async () => {
    const s = await site();
    const p1 = await request(s.app).get('/');
    expect(p1.status).toBe(200);
    expect(headlines(p1.text)).toEqual(range(25, 16));
    expect(relLinks(p1.text)).toEqual({ canonical: `${E}/`, next: `${E}/page/2/` });
    const p2 = await request(s.app).get('/page/2/');
    expect(p2.status).toBe(200);
    expect(headlines(p2.text)).toEqual(range(15, 6));
    expect(relLinks(p2.text)).toEqual({ canonical: `${E}/page/2/`, prev: `${E}/`, next: `${E}/page/3/` });
    expect(p2.text).toContain('<a rel="prev" href="/">');
    expect(p2.text).toContain('<a rel="next" href="/page/3/">');
  });

  it('answers /page/1/ with 301 to /, the last page with 200 and one past it with 404', async () => {
    const s = await site();
    const first = await request(s.app).get('/page/1/');
    expect(first.status).toBe(301);
    expect(first.headers.location).toBe('/');
    const last = await request(s.app).get('/page/3/');
    expect(last.status).toBe(200);
    expect(headlines(last.text)).toEqual(range(5, 1));
    expect(relLinks(last.text)).toEqual({ canonical: `${E}/page/3/`, prev: `${E}/page/2/` });
    for (const p of ['/page/4/', '/page/0/', '/page/02/', '/page/x/', '/page/-1/']) expect((await request(s.app).get(p)).status, p).toBe(404);
  });

  it('follows PAGE_SIZE', async () => {
    const s = await site({ PAGE_SIZE: '4' });
    expect(headlines((await request(s.app).get('/')).text)).toEqual(range(25, 22));
    expect((await request(s.app).get('/page/7/')).status).toBe(200);
    expect(headlines((await request(s.app).get('/page/7/')).text)).toEqual(['Story 01']);
    expect((await request(s.app).get('/page/8/')).status).toBe(404);
  });
});

describe('tag and author pages', () => {
  it('are paginated the same way', async () => {
    const s = await site();
    const p1 = await request(s.app).get('/tags/niger/');
    expect(p1.status).toBe(200);
    expect(headlines(p1.text)).toEqual(['Story 25', ...range(12, 4)]);
    expect(relLinks(p1.text)).toEqual({ canonical: `${E}/tags/niger/`, next: `${E}/tags/niger/page/2/` });
    const p2 = await request(s.app).get('/tags/niger/page/2/');
    expect(p2.status).toBe(200);
    expect(headlines(p2.text)).toEqual(range(3, 1));
    expect(relLinks(p2.text)).toEqual({ canonical: `${E}/tags/niger/page/2/`, prev: `${E}/tags/niger/` });
    const one = await request(s.app).get('/tags/niger/page/1/');
    expect(one.status).toBe(301);
    expect(one.headers.location).toBe('/tags/niger/');
    expect((await request(s.app).get('/tags/niger/page/3/')).status).toBe(404);
    expect((await request(s.app).get('/tags/unknown/')).status).toBe(404);

    const a1 = await request(s.app).get('/authors/ann-lee/');
    expect(a1.status).toBe(200);
    expect(textOf(elements(a1.text, 'h1')[0]!)).toBe('Ann Lee');
    expect((await request(s.app).get('/authors/ann-lee/page/2/')).status).toBe(200);
    expect((await request(s.app).get('/authors/ann-lee/page/3/')).status).toBe(404);
    const aOne = await request(s.app).get('/authors/ann-lee/page/1/');
    expect(aOne.status).toBe(301);
    expect(aOne.headers.location).toBe('/authors/ann-lee/');
  });

  it('turn names with accents, apostrophes, ampersands and dots into slugs', () => {
    expect(slugify("Côte d'Ivoire")).toBe('cote-d-ivoire');
    expect(slugify('Côte d’Ivoire')).toBe('cote-d-ivoire');
    expect(slugify('U.S. military')).toBe('u-s-military');
    expect(slugify('Energy & Power')).toBe('energy-power');
    expect(slugify('José Álvarez')).toBe('jose-alvarez');
    expect(slugify("Mary O'Brien")).toBe('mary-o-brien');
    expect(slugify('Dr. A.B. Smith')).toBe('dr-a-b-smith');
    expect(slugify('ﬁnance   ²')).toBe('finance-2');
    expect(slugify('  --Ünïcödé--  ')).toBe('unicode');
    expect(slugify('!!!')).toBe('');
  });

  it('are linked from every article’s tags and byline, at those slugs', async () => {
    const s = await site();
    const html = (await request(s.app).get('/articles/s25/').expect(200)).text;
    expect(html).toContain('<a href="/tags/niger/" rel="tag">Niger</a>');
    expect(html).toContain('<a href="/tags/energy-power/" rel="tag">Energy &amp; Power</a>');
    expect(html).toContain('<a href="/tags/cote-d-ivoire/" rel="tag">Côte d&#39;Ivoire</a>');
    const byline = elements(html, 'p', 'class="byline"')[0]!;
    expect(byline).toContain('<a href="/authors/ann-lee/">Ann Lee</a>');
    const two = elements((await request(s.app).get('/articles/s23/')).text, 'p', 'class="byline"')[0]!;
    expect(two).toContain('<a href="/authors/dr-a-b-smith/">Dr. A.B. Smith</a> and <a href="/authors/mary-o-brien/">Mary O&#39;Brien</a>');
    for (const p of ['/tags/cote-d-ivoire/', '/tags/u-s-military/', '/authors/jose-alvarez/', '/authors/dr-a-b-smith/', '/authors/mary-o-brien/']) {
      expect((await request(s.app).get(p)).status, p).toBe(200);
    }
    expect(textOf(elements((await request(s.app).get('/tags/cote-d-ivoire/')).text, 'h1')[0]!)).toBe("Côte d'Ivoire");
    expect(textOf(elements((await request(s.app).get('/authors/jose-alvarez/')).text, 'h1')[0]!)).toBe('José Álvarez');
  });

  it('share one page between two names with one slug, titled with the first name seen', async () => {
    const s = await site();
    const res = await request(s.app).get('/tags/energy-power/');
    expect(res.status).toBe(200);
    // s25 (newest) says "Energy & Power", s24 says "Energy power".
    expect(textOf(elements(res.text, 'h1')[0]!)).toBe('Energy & Power');
    expect(decodeEntities(/<title>([^<]*)<\/title>/.exec(res.text)![1]!)).toBe('Energy & Power – Newsroom');
    expect(headlines(res.text)).toEqual(['Story 25', 'Story 24']);
    expect((await request(s.app).get('/articles/s24/')).text).toContain('<a href="/tags/energy-power/" rel="tag">Energy power</a>');
  });

  it('refuse a name that has no letters or digits for a slug (a check error)', async () => {
    const s = await site({}, { 'bad.md': md('title: Bad\ndate: 2024-05-01\nauthor: Ann Lee\ntags: ["&&&"]'), 'ok.md': md('title: Ok\ndate: 2024-05-01\nauthor: Ann Lee') });
    expect(s.state.diagnostics).toContainEqual(expect.objectContaining({ path: 'bad.md', field: 'tags', severity: 'error' }));
    expect((await request(s.app).get('/articles/bad/')).status).toBe(404);
    expect((await request(s.app).get('/articles/ok/')).status).toBe(200);
  });
});

describe('reading time', () => {
  it('is words / 230 rounded up, at least 1', async () => {
    const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    const s = await site({}, {
      'one.md': md('title: One\ndate: 2024-05-01\nauthor: Ann Lee', 'Short.'),
      'exact.md': md('title: Exact\ndate: 2024-05-02\nauthor: Ann Lee', words(230)),
      'over.md': md('title: Over\ndate: 2024-05-03\nauthor: Ann Lee', words(231)),
      'long.md': md('title: Long\ndate: 2024-05-04\nauthor: Ann Lee', words(920)),
    });
    const minutes = async (slug: string): Promise<string> => textOf(elements((await request(s.app).get(`/articles/${slug}/`)).text, 'p', 'class="story-meta"')[0]!);
    expect(await minutes('one')).toBe('1 min read');
    expect(await minutes('exact')).toBe('1 min read');
    expect(await minutes('over')).toBe('2 min read');
    expect(await minutes('long')).toBe('4 min read');
  });
});

describe('related articles', () => {
  const files: Files = {
    'x.md': md('title: X\ndate: 2024-05-01\nauthor: Ann Lee\ntags: [A, B]'),
    'y.md': md('title: Y shares two\ndate: 2024-04-01\nauthor: Ann Lee\ntags: [A, B]'),
    'z.md': md('title: Z shares A\ndate: 2024-05-02\nauthor: Ann Lee\ntags: [A]'),
    'w.md': md('title: W shares B\ndate: 2024-05-03\nauthor: Ann Lee\ntags: [B]'),
    'v.md': md('title: V shares A\ndate: 2024-03-01\nauthor: Ann Lee\ntags: [A]'),
    'lone.md': md('title: Lone\ndate: 2024-04-15\nauthor: Ann Lee\ntags: [Nothing else]'),
    'plain.md': md('title: Plain\ndate: 2024-05-10\nauthor: Ann Lee'),
  };
  const related = (html: string): string[] => elements(html, 'aside', 'class="related"').flatMap((a) => elements(a, 'a').map(textOf));

  it('are up to 3 by most shared tags, then newest', async () => {
    const s = await site({}, files);
    expect(related((await request(s.app).get('/articles/x/')).text)).toEqual(['Y shares two', 'W shares B', 'Z shares A']);
  });

  it('are the newest other articles when none shares a tag', async () => {
    const s = await site({}, files);
    expect(related((await request(s.app).get('/articles/lone/')).text)).toEqual(['Plain', 'W shares B', 'Z shares A']);
    expect(related((await request(s.app).get('/articles/plain/')).text)).toEqual(['W shares B', 'Z shares A', 'X']);
  });

  it('follow content changes (a newer untagged article enters the box of an article with no shared tag)', async () => {
    const s = await site({}, files);
    await request(s.app).get('/articles/lone/');
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    writeFileSync(path.join(s.contentDir, 'newest.md'), md('title: Newest\ndate: 2024-05-20\nauthor: Ann Lee'));
    s.store.setContent(await s.loader.load());
    expect(related((await request(s.app).get('/articles/lone/')).text)).toEqual(['Newest', 'Plain', 'W shares B']);
  });
});

describe('drafts and scheduled articles', () => {
  const PUBLIC_PATHS = [
    '/',
    '/page/2/',
    '/page/3/',
    '/tags/niger/',
    '/tags/niger/page/2/',
    '/authors/ann-lee/',
    '/authors/ann-lee/page/2/',
    '/authors/jose-alvarez/',
    '/feed.xml',
    '/atom.xml',
    '/feed.json',
    '/tags/niger/feed.xml',
    '/sitemap.xml',
    '/news-sitemap.xml',
    '/articles/s25/',
  ];

  it('never leak into any listing, feed or sitemap, and their tag and author pages do not exist', async () => {
    const s = await site();
    for (const p of PUBLIC_PATHS) {
      const res = await request(s.app).get(p);
      expect(res.status, p).toBe(200);
      for (const secret of ['draft-story', 'Draft story', 'scheduled-story', 'Scheduled story', 'Secret Tag', 'secret-tag', 'Ghost Writer', 'ghost-writer']) {
        expect(res.text, `${p} ${secret}`).not.toContain(secret);
      }
    }
    for (const p of ['/articles/draft-story/', '/articles/scheduled-story/', '/tags/secret-tag/', '/tags/secret-tag/feed.xml', '/authors/ghost-writer/']) {
      expect((await request(s.app).get(p)).status, p).toBe(404);
    }
  });

  it('in preview, show in listings but still stay out of feeds and sitemaps', async () => {
    const s = await site({ PREVIEW: 'true' });
    expect(headlines((await request(s.app).get('/')).text).slice(0, 2)).toEqual(['Scheduled story', 'Draft story']);
    for (const p of ['/feed.xml', '/atom.xml', '/feed.json', '/tags/niger/feed.xml', '/sitemap.xml', '/news-sitemap.xml']) {
      const text = (await request(s.app).get(p)).text;
      expect(text, p).not.toContain('draft-story');
      expect(text, p).not.toContain('scheduled-story');
      expect(text, p).not.toContain('secret-tag');
    }
    expect((await request(s.app).get('/tags/secret-tag/feed.xml')).status).toBe(404);
  });
});
