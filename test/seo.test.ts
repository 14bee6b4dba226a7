// What search engines and social sites read in an article's <head>: canonical, robots, Open Graph,
// Twitter cards, JSON-LD NewsArticle, feed autodiscovery; and that no request header can change any of it.

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEntities } from './helpers/html.js';
import { png } from './helpers/png.js';
import { closeSites, makeSite, md, type TestSite } from './helpers/site.js';

afterEach(closeSites);

const E = 'https://news.example';
const SCRIPT_TITLE = '</script><script>alert(1)</script> <!-- and </SCRIPT > too';

const FILES = {
  'with-image.md': md(
    [
      'title: "Grid & power in Niger"',
      'summary: "Power lines <and> pylons"',
      'date: 2024-03-22',
      'updated: 2024-04-02T10:15:00+02:00',
      "author: [Micaela Burrow, Jean d'Arc]",
      'publisher: The Daily Caller News Foundation',
      "tags: [Energy & Power, Côte d'Ivoire]",
      'image:',
      '  src: /images/grid.png',
      '  alt: Power lines at dusk',
      '  caption: Lines near Niamey',
      '  credit: Photo by Jo',
      'source:',
      '  name: The Daily Caller News Foundation',
      '  url: https://dailycaller.example/story',
    ].join('\n'),
    'Body.',
  ),
  'missing-image.md': md('title: Missing image\ndate: 2024-03-21\nauthor: Ann Lee\nimage:\n  src: /images/not-there.png\n  alt: Nothing', 'Body.'),
  'no-image.md': md('title: No image\ndate: 2024-03-20\nauthor: Ann Lee', 'Body.'),
  'syndicated.md': md('title: Syndicated\ndate: 2024-03-19\nauthor: Wire Staff\ncanonical: https://wire.example/original', 'Body.'),
  'hidden.md': md('title: Hidden\ndate: 2024-03-18\nauthor: Ann Lee\nnoindex: true', 'Body.'),
  'script-title.md': md(`title: "${SCRIPT_TITLE}"\ndate: 2024-03-17\nauthor: Ann Lee\ntags: ['<!-- comment']`, 'Body.'),
  'pages/about.md': md('title: About', 'About us.'),
};

async function site(env: Record<string, string> = {}): Promise<TestSite> {
  return makeSite(FILES, {
    env: { SITE_TIMEZONE: 'Europe/Paris', SITE_LOGO: '/images/logo.png', ...env },
    publicFiles: { 'images/grid.png': png(1200, 675), 'images/logo.png': png(112, 112) },
  });
}

const head = (html: string): string => html.slice(0, html.indexOf('</head>'));

/** [property or name, content] of every <meta> with the given attribute, in document order, decoded. */
function metas(html: string, attr: 'property' | 'name'): [string, string][] {
  return [...head(html).matchAll(new RegExp(`<meta ${attr}="([^"]+)" content="([^"]*)">`, 'g'))].map((m) => [m[1]!, decodeEntities(m[2]!)]);
}

function linkHrefs(html: string, rel: string): string[] {
  return [...head(html).matchAll(/<link rel="([^"]+)"[^>]*?href="([^"]*)"/g)].filter((m) => m[1] === rel).map((m) => decodeEntities(m[2]!));
}

function jsonLd(html: string): Record<string, unknown> {
  const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
  expect(blocks).toHaveLength(1);
  return JSON.parse(blocks[0]![1]!) as Record<string, unknown>;
}

describe('canonical and robots', () => {
  it('links the article’s own absolute URL, or the front matter canonical when set', async () => {
    const s = await site();
    expect(linkHrefs((await request(s.app).get('/articles/no-image/')).text, 'canonical')).toEqual([`${E}/articles/no-image/`]);
    const syndicated = (await request(s.app).get('/articles/syndicated/')).text;
    expect(linkHrefs(syndicated, 'canonical')).toEqual(['https://wire.example/original']);
    expect(metas(syndicated, 'property')).toContainEqual(['og:url', 'https://wire.example/original']);
  });

  it('emits noindex for noindex: true and max-image-preview:large otherwise', async () => {
    const s = await site();
    expect(metas((await request(s.app).get('/articles/hidden/')).text, 'name')).toContainEqual(['robots', 'noindex']);
    expect(metas((await request(s.app).get('/articles/no-image/')).text, 'name')).toContainEqual(['robots', 'index, follow, max-image-preview:large']);
  });
});

describe('Open Graph and Twitter cards', () => {
  it('describe an article with its image, dates in SITE_TIMEZONE, authors and tags', async () => {
    const s = await site();
    const html = (await request(s.app).get('/articles/with-image/')).text;
    expect(metas(html, 'property')).toEqual([
      ['og:type', 'article'],
      ['og:title', 'Grid & power in Niger'],
      ['og:description', 'Power lines <and> pylons'],
      ['og:url', `${E}/articles/with-image/`],
      ['og:site_name', 'Newsroom'],
      ['og:locale', 'en_US'],
      ['og:image', `${E}/images/grid.png`],
      ['og:image:width', '1200'],
      ['og:image:height', '675'],
      ['og:image:alt', 'Power lines at dusk'],
      ['article:published_time', '2024-03-22T00:00:00+01:00'],
      ['article:modified_time', '2024-04-02T10:15:00+02:00'],
      ['article:author', `${E}/authors/micaela-burrow/`],
      ['article:author', `${E}/authors/jean-d-arc/`],
      ['article:tag', 'Energy & Power'],
      ['article:tag', "Côte d'Ivoire"],
    ]);
    expect(metas(html, 'name').filter(([n]) => n.startsWith('twitter:'))).toEqual([
      ['twitter:card', 'summary_large_image'],
      ['twitter:title', 'Grid & power in Niger'],
      ['twitter:description', 'Power lines <and> pylons'],
      ['twitter:image', `${E}/images/grid.png`],
      ['twitter:image:alt', 'Power lines at dusk'],
    ]);
  });

  it('have no image tags (and a summary card) when the image file does not exist or there is none', async () => {
    const s = await site();
    for (const slug of ['missing-image', 'no-image']) {
      const html = (await request(s.app).get(`/articles/${slug}/`)).text;
      const og = metas(html, 'property').map(([p]) => p);
      expect(og, slug).not.toContain('og:image');
      expect(og, slug).not.toContain('og:image:width');
      expect(og, slug).not.toContain('og:image:height');
      expect(metas(html, 'name').filter(([n]) => n.startsWith('twitter:')), slug).toEqual([
        ['twitter:card', 'summary'],
        ['twitter:title', slug === 'no-image' ? 'No image' : 'Missing image'],
        ['twitter:description', 'Body.'],
      ]);
    }
  });
});

describe('JSON-LD NewsArticle', () => {
  it('has every required field with the right types', async () => {
    const s = await site();
    const ld = jsonLd((await request(s.app).get('/articles/with-image/')).text);
    expect(ld).toEqual({
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: 'Grid & power in Niger',
      description: 'Power lines <and> pylons',
      datePublished: '2024-03-22T00:00:00+01:00',
      dateModified: '2024-04-02T10:15:00+02:00',
      author: [
        { '@type': 'Person', name: 'Micaela Burrow', url: `${E}/authors/micaela-burrow/` },
        { '@type': 'Person', name: "Jean d'Arc", url: `${E}/authors/jean-d-arc/` },
      ],
      publisher: { '@type': 'Organization', name: 'Newsroom', url: `${E}/`, logo: { '@type': 'ImageObject', url: `${E}/images/logo.png`, width: 112, height: 112 } },
      sourceOrganization: { '@type': 'Organization', name: 'The Daily Caller News Foundation' },
      isBasedOn: 'https://dailycaller.example/story',
      image: [{ '@type': 'ImageObject', url: `${E}/images/grid.png`, width: 1200, height: 675, caption: 'Lines near Niamey' }],
      mainEntityOfPage: { '@type': 'WebPage', '@id': `${E}/articles/with-image/` },
      url: `${E}/articles/with-image/`,
      keywords: "Energy & Power, Côte d'Ivoire",
      inLanguage: 'en',
      wordCount: 1,
    });
  });

  it('leaves out the logo without SITE_LOGO, and optional fields an article does not have', async () => {
    const s = await site({ SITE_LOGO: '' });
    const ld = jsonLd((await request(s.app).get('/articles/no-image/')).text);
    expect(ld.publisher).toEqual({ '@type': 'Organization', name: 'Newsroom', url: `${E}/` });
    for (const k of ['sourceOrganization', 'isBasedOn', 'image', 'keywords']) expect(ld, k).not.toHaveProperty(k);
    expect(ld.datePublished).toBe('2024-03-20T00:00:00+01:00');
    expect(ld.dateModified).toBe('2024-03-20T00:00:00+01:00');
  });

  it('stays valid JSON and keeps its <script> element whole when the title contains </script> and <!--', async () => {
    const s = await site();
    const html = (await request(s.app).get('/articles/script-title/')).text;
    const script = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(script).not.toMatch(/<|>/);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html).not.toContain('<script>');
    const ld = jsonLd(html);
    expect(ld.headline).toBe(SCRIPT_TITLE);
    expect(ld.keywords).toBe('<!-- comment');
    expect(decodeEntities(/<title>([^<]*)<\/title>/.exec(html)![1]!)).toBe(SCRIPT_TITLE);
  });
});

describe('feed autodiscovery', () => {
  it('links the three site feeds on every page type, and the tag feed on tag pages', async () => {
    const s = await site();
    const siteFeeds = [
      '<link rel="alternate" type="application/rss+xml" title="Newsroom (RSS)" href="https://news.example/feed.xml">',
      '<link rel="alternate" type="application/atom+xml" title="Newsroom (Atom)" href="https://news.example/atom.xml">',
      '<link rel="alternate" type="application/feed+json" title="Newsroom (JSON Feed)" href="https://news.example/feed.json">',
    ];
    for (const p of ['/', '/articles/with-image/', '/tags/energy-power/', '/authors/ann-lee/', '/about/', '/no-such-page/']) {
      const h = head((await request(s.app).get(p)).text);
      for (const l of siteFeeds) expect(h, p).toContain(l);
    }
    const tagFeed = '<link rel="alternate" type="application/rss+xml" title="Energy &amp; Power – Newsroom (RSS)" href="https://news.example/tags/energy-power/feed.xml">';
    expect((await request(s.app).get('/tags/energy-power/')).text).toContain(tagFeed);
    expect((await request(s.app).get('/')).text).not.toContain('/tags/energy-power/feed.xml');
    expect((await request(s.app).get('/tags/energy-power/feed.xml')).status).toBe(200);
  });
});

describe('Host header injection', () => {
  const HOSTILE = {
    Host: 'evil.example',
    'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Proto': 'gopher',
    'X-Forwarded-Prefix': '/evil.example',
    'X-Original-URL': '//evil.example/',
    Forwarded: 'host=evil.example;proto=http',
  };
  const PATHS = [
    '/',
    '/articles/with-image/',
    '/articles/syndicated/',
    '/tags/energy-power/',
    '/authors/ann-lee/',
    '/about/',
    '/feed.xml',
    '/atom.xml',
    '/feed.json',
    '/tags/energy-power/feed.xml',
    '/sitemap.xml',
    '/news-sitemap.xml',
    '/robots.txt',
    '/no-such-page/',
    '/page/1/',
    '/articles/with-image',
    '/tags/energy-power/page/1/',
  ];

  for (const trustProxy of ['', 'loopback']) {
    it(`leaves no trace in any page, feed, sitemap, robots.txt or redirect${trustProxy ? ' (TRUST_PROXY=loopback)' : ''}`, async () => {
      const s = await site({ TRUST_PROXY: trustProxy });
      // Twice: the first request renders the page under hostile headers, the second comes from the cache.
      for (const round of [1, 2]) {
        for (const p of PATHS) {
          const res = await request(s.app).get(p).set(HOSTILE);
          expect(res.status, `${p} #${round}`).toBeLessThan(500);
          expect(res.text, `${p} #${round}`).not.toContain('evil');
          expect(res.text, `${p} #${round}`).not.toContain('gopher');
          for (const [name, value] of Object.entries(res.headers)) expect(`${name}: ${String(value)}`, `${p} #${round}`).not.toMatch(/evil|gopher/);
        }
      }
      const feed = (await request(s.app).get('/feed.xml').set(HOSTILE)).text;
      expect(feed).toContain('<link>https://news.example/</link>');
    });
  }
});
