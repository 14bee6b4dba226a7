// Sitemaps, the Google News sitemap and robots.txt, parsed with a real XML parser.

import express from 'express';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isoDateTime, tzOffsetMinutes } from '../src/dates.js';
import { addFeedRoutes } from '../src/http/feedRoutes.js';
import { fastIsoDateTime } from '../src/render/fastIsoDateTime.js';
import { newsLanguage, newsSitemap, sitemapUrls } from '../src/render/sitemaps.js';
import { closeSites, fixedClock, makeSite, md, type TestSite } from './helpers/site.js';

afterEach(closeSites);

const NOW = Date.parse('2024-06-10T12:00:00Z');

const FILES = {
  'hidden.md': md('title: Hidden\ndate: 2024-06-10T06:00:00Z\nauthor: Ann Lee\ntags: [Niger]\nnoindex: true', 'Readers only.'),
  'a1.md': md('title: "One & <only>"\ndate: 2024-06-09T10:00:00Z\nauthor: Ann Lee\ntags: [Niger, U.S. military]', 'One.'),
  'copy.md': md('title: Wire copy\ndate: 2024-06-09T09:00:00Z\nauthor: Wire Staff\ncanonical: https://wire.example/copy', 'Copy.'),
  'a2.md': md('title: Two\ndate: 2024-06-08T13:00:00Z\nauthor: Bob Ray\ntags: [Niger]', 'Two.'),
  'a3.md': md('title: Three\ndate: 2024-06-08T11:00:00Z\nauthor: Ann Lee', 'Three.'),
  'old.md': md("title: Old\ndate: 2024-01-01\nupdated: 2024-02-01\nauthor: Ann Lee\ntags: [Côte d'Ivoire]", 'Old.'),
  'draft-story.md': md('title: Draft story\ndate: 2024-06-09T08:00:00Z\nauthor: Ghost Writer\ntags: [Secret Tag]\ndraft: true', 'Draft.'),
  'scheduled-story.md': md('title: Scheduled story\ndate: 2024-06-11T00:00:00Z\nauthor: Ghost Writer\ntags: [Secret Tag]', 'Later.'),
  'pages/about.md': md('title: About us', 'About.'),
};

async function site(env: Record<string, string> = {}): Promise<TestSite & { clock: ReturnType<typeof fixedClock> }> {
  const clock = fixedClock(NOW);
  const s = await makeSite(FILES, { clock, env });
  return Object.assign(s, { clock });
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['url', 'sitemap'].includes(name),
});
type Node = Record<string, unknown>;
const obj = (v: unknown): Node => v as Node;
const list = (v: unknown): Node[] => (v ?? []) as Node[];

function parseXml(text: string): Node {
  expect(XMLValidator.validate(text)).toBe(true);
  return xml.parse(text) as Node;
}

const E = 'https://news.example';
const FULL_SITEMAP = [
  { loc: `${E}/`, lastmod: '2024-06-10T06:00:00+00:00' },
  { loc: `${E}/articles/a1/`, lastmod: '2024-06-09T10:00:00+00:00' },
  { loc: `${E}/articles/a2/`, lastmod: '2024-06-08T13:00:00+00:00' },
  { loc: `${E}/articles/a3/`, lastmod: '2024-06-08T11:00:00+00:00' },
  { loc: `${E}/articles/old/`, lastmod: '2024-02-01T00:00:00+00:00' },
  { loc: `${E}/about/` },
  { loc: `${E}/tags/niger/`, lastmod: '2024-06-10T06:00:00+00:00' },
  { loc: `${E}/tags/u-s-military/`, lastmod: '2024-06-09T10:00:00+00:00' },
  { loc: `${E}/tags/cote-d-ivoire/`, lastmod: '2024-02-01T00:00:00+00:00' },
  { loc: `${E}/authors/ann-lee/`, lastmod: '2024-06-10T06:00:00+00:00' },
  { loc: `${E}/authors/wire-staff/`, lastmod: '2024-06-09T09:00:00+00:00' },
  { loc: `${E}/authors/bob-ray/`, lastmod: '2024-06-08T13:00:00+00:00' },
];

describe('/sitemap.xml', () => {
  it('lists home, indexable articles with lastmod = updated or date, pages, tag and author pages', async () => {
    const s = await site();
    const res = await request(s.app).get('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const urlset = obj(parseXml(res.text).urlset);
    expect(urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(list(urlset.url)).toEqual(FULL_SITEMAP);
  });

  it('writes W3C date-times in SITE_TIMEZONE', async () => {
    const s = await site({ SITE_TIMEZONE: 'Asia/Kolkata' });
    const urlset = obj(parseXml((await request(s.app).get('/sitemap.xml')).text).urlset);
    expect(list(urlset.url)[4]).toEqual({ loc: `${E}/articles/old/`, lastmod: '2024-02-01T00:00:00+05:30' });
  });

  it('leaves out noindex articles, articles canonical elsewhere, drafts and scheduled ones (and their tag and author pages)', async () => {
    const s = await site();
    const text = (await request(s.app).get('/sitemap.xml')).text;
    for (const absent of ['hidden', 'copy', 'draft-story', 'scheduled-story', 'secret-tag', 'ghost-writer']) expect(text).not.toContain(absent);
    // noindex articles still serve readers: listings and feeds keep them.
    expect((await request(s.app).get('/')).text).toContain('href="/articles/hidden/"');
    expect((await request(s.app).get('/feed.xml')).text).toContain(`${E}/articles/hidden/`);
  });

  it('becomes a sitemap index of /sitemap-N.xml parts past the URL limit', async () => {
    const s = await site();
    const app = express();
    app.set('strict routing', true);
    addFeedRoutes(app, s.app.pages, s.store, s.app.renderer, s.config, { sitemapLimit: 5 });
    const res = await request(app).get('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const index = obj(parseXml(res.text).sitemapindex);
    expect(index['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(list(index.sitemap)).toEqual([
      { loc: `${E}/sitemap-1.xml`, lastmod: '2024-06-10T06:00:00+00:00' },
      { loc: `${E}/sitemap-2.xml`, lastmod: '2024-06-10T06:00:00+00:00' },
      { loc: `${E}/sitemap-3.xml`, lastmod: '2024-06-09T09:00:00+00:00' },
    ]);
    const parts: Node[] = [];
    for (const n of [1, 2, 3]) {
      const part = await request(app).get(`/sitemap-${n}.xml`);
      expect(part.status).toBe(200);
      expect(part.headers['content-type']).toBe('application/xml; charset=utf-8');
      const urlset = obj(parseXml(part.text).urlset);
      expect(urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
      expect(list(urlset.url).length).toBeLessThanOrEqual(5);
      parts.push(...list(urlset.url));
    }
    expect(parts).toEqual(FULL_SITEMAP);
    for (const p of ['/sitemap-4.xml', '/sitemap-0.xml', '/sitemap-01.xml']) expect((await request(app).get(p)).status, p).toBe(404);
  });

  it('has no /sitemap-N.xml parts while everything fits in one file', async () => {
    const s = await site();
    expect((await request(s.app).get('/sitemap-1.xml')).status).toBe(404);
  });

  it('follows content changes: a new article appears, a deleted one goes', async () => {
    const s = await site();
    await request(s.app).get('/sitemap.xml');
    const { unlinkSync, writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    unlinkSync(path.join(s.contentDir, 'a3.md'));
    writeFileSync(path.join(s.contentDir, 'new-one.md'), md('title: New one\ndate: 2024-06-10T11:00:00Z\nauthor: Ann Lee', 'New.'));
    s.store.setContent(await s.loader.load());
    const locs = list(obj(parseXml((await request(s.app).get('/sitemap.xml')).text).urlset).url).map((u) => u.loc);
    expect(locs).toContain(`${E}/articles/new-one/`);
    expect(locs).not.toContain(`${E}/articles/a3/`);
  });
});

describe('/news-sitemap.xml', () => {
  it('is a Google News sitemap of indexable articles from the last 2 days', async () => {
    const s = await site();
    const res = await request(s.app).get('/news-sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const urlset = obj(parseXml(res.text).urlset);
    expect(urlset['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    expect(urlset['@xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    expect(list(urlset.url)).toEqual([
      {
        loc: `${E}/articles/a1/`,
        'news:news': {
          'news:publication': { 'news:name': 'Newsroom', 'news:language': 'en' },
          'news:publication_date': '2024-06-09T10:00:00+00:00',
          'news:title': 'One & <only>',
        },
      },
      {
        loc: `${E}/articles/a2/`,
        'news:news': {
          'news:publication': { 'news:name': 'Newsroom', 'news:language': 'en' },
          'news:publication_date': '2024-06-08T13:00:00+00:00',
          'news:title': 'Two',
        },
      },
    ]);
  });

  it('changes with time alone: an article crossing the 2-day line leaves it, and a scheduled one enters when it goes live', async () => {
    const s = await site();
    const locs = async (): Promise<unknown[]> => list(obj(parseXml((await request(s.app).get('/news-sitemap.xml')).text).urlset).url).map((u) => u.loc);
    expect(await locs()).toEqual([`${E}/articles/a1/`, `${E}/articles/a2/`]);
    // a2 was published 2024-06-08T13:00Z: it leaves at 2024-06-10T13:00Z, with no content change.
    s.clock.set(Date.parse('2024-06-10T13:00:01Z'));
    s.store.tick();
    expect(await locs()).toEqual([`${E}/articles/a1/`]);
    s.clock.set(Date.parse('2024-06-11T00:00:01Z'));
    s.store.tick();
    expect(await locs()).toEqual([`${E}/articles/scheduled-story/`, `${E}/articles/a1/`]);
  });

  it('holds at most the limit, newest first', async () => {
    const s = await site();
    const doc = newsSitemap(s.store.view, s.config, 1);
    expect(list(obj(parseXml(String(doc.html)).urlset).url).map((u) => u.loc)).toEqual([`${E}/articles/a1/`]);
    expect(doc.deps).toContain('time');
  });

  it('names the publication language as Google News expects', () => {
    expect(newsLanguage('en')).toBe('en');
    expect(newsLanguage('fr-CA')).toBe('fr');
    expect(newsLanguage('zh-TW')).toBe('zh-tw');
    expect(newsLanguage('zh-Hans')).toBe('zh-cn');
  });
});

describe('/robots.txt', () => {
  it('names both sitemaps with absolute URLs', async () => {
    const s = await site();
    const res = await request(s.app).get('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(`User-agent: *\nDisallow:\n\nSitemap: ${E}/sitemap.xml\nSitemap: ${E}/news-sitemap.xml\n`);
  });

  it('asks crawlers to stay out of a preview server, whose sitemaps still hold no drafts', async () => {
    const s = await site({ PREVIEW: 'true' });
    expect((await request(s.app).get('/robots.txt')).text).toBe(`User-agent: *\nDisallow: /\n\nSitemap: ${E}/sitemap.xml\nSitemap: ${E}/news-sitemap.xml\n`);
    expect(sitemapUrls(s.store.view, s.config)).toEqual(FULL_SITEMAP.map(({ loc, lastmod }) => ({ loc, ...(lastmod ? { lastmod: Date.parse(lastmod) } : {}) })));
  });
});

describe('fastIsoDateTime', () => {
  it('gives the same string as isoDateTime, including days with a DST change (checked every 5 minutes)', () => {
    const DAY = 86_400_000;
    let changeDays = 0;
    for (const tz of ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns']) {
      for (let d = Date.parse('2024-01-01T00:00:00Z'); d < Date.parse('2025-01-01T00:00:00Z'); d += DAY) {
        const noon = d + 12 * 3_600_000 + 1_234;
        expect(fastIsoDateTime(noon, tz), `${tz} ${noon}`).toBe(isoDateTime(noon, tz));
        if (tzOffsetMinutes(d, tz) === tzOffsetMinutes(d + DAY - 1000, tz)) continue;
        changeDays++;
        for (let m = d; m < d + DAY; m += 5 * 60_000 + 1_001) expect(fastIsoDateTime(m, tz), `${tz} ${m}`).toBe(isoDateTime(m, tz));
      }
    }
    // Paris, New York, Lord Howe and St. John's each change twice a year.
    expect(changeDays).toBe(8);
  });
});
