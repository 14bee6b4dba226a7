// Feeds: RSS 2.0, Atom, JSON Feed 1.1 and per-tag RSS, read with a real XML parser and with a feed
// reader library, as a subscriber's app would read them.

import { renameSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { absolutizeHtml, feedId, settleFeedItem } from '../src/render/feeds.js';
import { xmlEscape } from '../src/render/xml.js';
import { testConfig } from '../src/config.js';
import type { Article } from '../src/content/model.js';
import { closeSites, fixedClock, makeSite, md, type Files, type TestSite } from './helpers/site.js';
import { png } from './helpers/png.js';

afterEach(closeSites);

const NOW = Date.parse('2024-06-10T12:00:00Z');
const TRICKY_TITLE = 'Fish & Chips <b>bold</b> ]]> end';
const TRICKY_ID = 'urn:uuid:6f1c1f8e-3b2a-4c55-9d7e-0a1b2c3d4e5f';

function fixtureFiles(): Files {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 23; i++) {
    const n = String(i).padStart(2, '0');
    files[`a${n}.md`] = md(`title: Story ${n}\ndate: 2024-05-${n}\nauthor: Ann Lee\ntags: [${i % 2 ? 'Odd' : 'Even'}]`, `Body of story ${n}.`);
  }
  files['tricky.md'] = md(
    [
      `title: "Fish & Chips <b>bold</b> ]]> end"`,
      'date: 2024-06-01T09:30:00+02:00',
      'updated: 2024-06-05',
      'summary: "Fish & chips: a <summary>"',
      `id: ${TRICKY_ID}`,
      'author: [Côte d’Ivoire Desk, Bob Ray]',
      'tags: [Energy & Power, Niger]',
      'image:',
      '  src: /images/chart.png',
      '  alt: A chart',
      '  caption: The chart',
      '  credit: Photo by Jo',
      'source:',
      '  name: Wire',
      '  url: https://wire.example/story?a=1&b=2',
    ].join('\n'),
    'See [the other story](/articles/a01/), [notes](#notes), ![chart](/images/chart.png), [a sibling](../a02/) and [elsewhere](https://other.example/x?a=1&b=2).',
  );
  files['draft-story.md'] = md('title: Draft story\ndate: 2024-06-02\nauthor: Ann Lee\ntags: [Energy & Power]\ndraft: true', 'Secret draft.');
  files['scheduled-story.md'] = md('title: Scheduled story\ndate: 2024-07-01\nauthor: Ann Lee\ntags: [Energy & Power]', 'Not yet.');
  files['hidden.md'] = md('title: Hidden story\ndate: 2024-06-03\nauthor: Ann Lee\nnoindex: true', 'Readers only.');
  return files;
}

async function site(env: Record<string, string> = {}): Promise<TestSite> {
  return makeSite(fixtureFiles(), { clock: fixedClock(NOW), env, publicFiles: { 'images/chart.png': png(800, 450) } });
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name, jpath) => ['item', 'entry', 'category', 'dc:creator', 'author'].includes(name) || jpath === 'feed.link',
});

type Node = Record<string, unknown>;
const obj = (v: unknown): Node => v as Node;
const list = (v: unknown): Node[] => v as Node[];

function parseXml(text: string): Node {
  expect(XMLValidator.validate(text)).toBe(true);
  return xml.parse(text) as Node;
}

/** Every href/src value in an HTML fragment. */
const urlsIn = (html: string): string[] => [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => m[1]!);

describe('RSS 2.0 /feed.xml', () => {
  it('is well-formed RSS 2.0 with its namespaces, channel fields and the newest 20 published articles', async () => {
    const s = await site();
    const res = await request(s.app).get('/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const rss = obj(parseXml(res.text).rss);
    expect(rss['@version']).toBe('2.0');
    expect(rss['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(rss['@xmlns:content']).toBe('http://purl.org/rss/1.0/modules/content/');
    expect(rss['@xmlns:dc']).toBe('http://purl.org/dc/elements/1.1/');
    const channel = obj(rss.channel);
    expect(channel.title).toBe('Newsroom');
    expect(channel.link).toBe('https://news.example/');
    expect(channel.description).toBe('The latest news from Newsroom.');
    expect(channel.language).toBe('en');
    expect(obj(channel['atom:link'])).toEqual({ '@href': 'https://news.example/feed.xml', '@rel': 'self', '@type': 'application/rss+xml' });
    expect(channel.lastBuildDate).toBe('Wed, 05 Jun 2024 00:00:00 GMT');
    const items = list(channel.item);
    expect(items.map((i) => i.title)).toEqual([
      'Hidden story',
      TRICKY_TITLE,
      ...Array.from({ length: 18 }, (_, k) => `Story ${String(23 - k).padStart(2, '0')}`),
    ]);
    const tricky = items[1]!;
    expect(tricky.link).toBe('https://news.example/articles/tricky/');
    expect(tricky.guid).toEqual({ '#text': TRICKY_ID, '@isPermaLink': 'false' });
    expect(tricky.pubDate).toBe('Sat, 01 Jun 2024 07:30:00 GMT');
    expect(tricky['dc:creator']).toEqual(['Côte d’Ivoire Desk', 'Bob Ray']);
    expect(tricky.category).toEqual(['Energy & Power', 'Niger']);
    expect(items[2]!.guid).toEqual({ '#text': 'tag:news.example,2024-05-23:a23', '@isPermaLink': 'false' });
  });

  it('carries the full article with every URL absolute, attribution and the feature image', async () => {
    const s = await site();
    const res = await request(s.app).get('/feed.xml');
    const tricky = list(obj(obj(parseXml(res.text).rss).channel).item)[1]!;
    const html = String(tricky['content:encoded']);
    expect(html).toContain('<img src="https://news.example/images/chart.png" alt="A chart" width="800" height="450"><figcaption>The chart Photo by Jo</figcaption>');
    expect(html).toContain('<a href="https://news.example/articles/a01/">the other story</a>');
    expect(html).toContain('<a href="https://news.example/articles/tricky/#notes">notes</a>');
    expect(html).toContain('<a href="https://news.example/articles/a02/">a sibling</a>');
    expect(html).toContain('<a href="https://other.example/x?a=1&amp;b=2" rel="noopener noreferrer">elsewhere</a>');
    expect(html).toContain('<a href="https://wire.example/story?a=1&amp;b=2">Original article link</a>');
    for (const u of urlsIn(html)) expect(u).toMatch(/^https:\/\//);
    expect(tricky.description).toBe('Fish & chips: a <summary>');
  });

  it('reads in a feed reader (rss-parser) with exact titles, ids, links and content', async () => {
    const s = await site();
    const res = await request(s.app).get('/feed.xml');
    const feed = await new Parser().parseString(res.text);
    expect(feed.title).toBe('Newsroom');
    expect(feed.link).toBe('https://news.example/');
    expect(feed.items).toHaveLength(20);
    const tricky = feed.items[1]!;
    expect(tricky.title).toBe(TRICKY_TITLE);
    expect(tricky.guid).toBe(TRICKY_ID);
    expect(tricky.link).toBe('https://news.example/articles/tricky/');
    expect(tricky.isoDate).toBe('2024-06-01T07:30:00.000Z');
    expect(tricky.categories).toEqual(['Energy & Power', 'Niger']);
    expect((tricky as Record<string, unknown>)['content:encoded']).toContain('href="https://news.example/articles/a01/"');
  });

  it('is served with Cross-Origin-Resource-Policy: cross-origin (once), while pages stay same-origin', async () => {
    const s = await site();
    for (const p of ['/feed.xml', '/atom.xml', '/feed.json', '/tags/niger/feed.xml']) {
      const res = await request(s.app).get(p);
      expect(res.headers['cross-origin-resource-policy'], p).toBe('cross-origin');
      expect(res.headers['content-security-policy'], p).toContain("default-src 'none'");
      // A second, cached request (the fast path) sends the same header.
      const again = await request(s.app).get(p);
      expect(again.headers['cross-origin-resource-policy'], p).toBe('cross-origin');
      expect(again.headers.etag).toBe(res.headers.etag);
    }
    const page = await request(s.app).get('/articles/tricky/');
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('Atom /atom.xml', () => {
  it('is well-formed Atom with the required feed and entry elements; updated reflects front matter updated', async () => {
    const s = await site({ SITE_TIMEZONE: 'Europe/Paris' });
    const res = await request(s.app).get('/atom.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = obj(parseXml(res.text).feed);
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@xml:lang']).toBe('en');
    expect(feed.id).toBe('https://news.example/');
    expect(obj(feed.title)['#text']).toBe('Newsroom');
    expect(feed.updated).toBe('2024-06-05T00:00:00+02:00');
    expect(list(feed.link)).toEqual([
      { '@rel': 'alternate', '@type': 'text/html', '@href': 'https://news.example/' },
      { '@rel': 'self', '@type': 'application/atom+xml', '@href': 'https://news.example/atom.xml' },
    ]);
    const entries = list(feed.entry);
    expect(entries).toHaveLength(20);
    const tricky = entries[1]!;
    expect(tricky.id).toBe(TRICKY_ID);
    expect(obj(tricky.title)).toEqual({ '#text': TRICKY_TITLE, '@type': 'text' });
    expect(tricky.published).toBe('2024-06-01T09:30:00+02:00');
    expect(tricky.updated).toBe('2024-06-05T00:00:00+02:00');
    expect(list(tricky.author)).toEqual([
      { name: 'Côte d’Ivoire Desk', uri: 'https://news.example/authors/cote-d-ivoire-desk/' },
      { name: 'Bob Ray', uri: 'https://news.example/authors/bob-ray/' },
    ]);
    expect(list(tricky.category)).toEqual([{ '@term': 'Energy & Power' }, { '@term': 'Niger' }]);
    const content = obj(tricky.content);
    expect(content['@type']).toBe('html');
    expect(String(content['#text'])).toContain('<a href="https://news.example/articles/a01/">the other story</a>');
    // An article never updated has updated == published.
    expect(entries[2]!.updated).toBe(entries[2]!.published);
  });

  it('reads in a feed reader (rss-parser)', async () => {
    const s = await site();
    const res = await request(s.app).get('/atom.xml');
    const feed = await new Parser().parseString(res.text);
    expect(feed.title).toBe('Newsroom');
    expect(feed.items).toHaveLength(20);
    const tricky = feed.items[1]! as Record<string, unknown>;
    expect(tricky.title).toBe(TRICKY_TITLE);
    expect(tricky.id).toBe(TRICKY_ID);
    expect(tricky.link).toBe('https://news.example/articles/tricky/');
    expect(String(tricky.content)).toContain('src="https://news.example/images/chart.png"');
  });
});

describe('JSON Feed /feed.json', () => {
  it('is JSON Feed 1.1 with the required fields and types', async () => {
    const s = await site();
    const res = await request(s.app).get('/feed.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = JSON.parse(res.text) as Record<string, unknown>;
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('Newsroom');
    expect(feed.home_page_url).toBe('https://news.example/');
    expect(feed.feed_url).toBe('https://news.example/feed.json');
    expect(feed.language).toBe('en');
    const items = feed.items as Record<string, unknown>[];
    expect(items).toHaveLength(20);
    for (const it of items) {
      expect(typeof it.id).toBe('string');
      expect(it.url).toMatch(/^https:\/\/news\.example\/articles\/[a-z0-9-]+\/$/);
      expect(typeof it.title).toBe('string');
      expect(typeof it.content_html).toBe('string');
      expect(it.date_published).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
      expect(Array.isArray(it.authors)).toBe(true);
    }
    const tricky = items[1]!;
    expect(tricky).toMatchObject({
      id: TRICKY_ID,
      url: 'https://news.example/articles/tricky/',
      external_url: 'https://wire.example/story?a=1&b=2',
      title: TRICKY_TITLE,
      image: 'https://news.example/images/chart.png',
      date_published: '2024-06-01T07:30:00+00:00',
      date_modified: '2024-06-05T00:00:00+00:00',
      authors: [
        { name: 'Côte d’Ivoire Desk', url: 'https://news.example/authors/cote-d-ivoire-desk/' },
        { name: 'Bob Ray', url: 'https://news.example/authors/bob-ray/' },
      ],
      tags: ['Energy & Power', 'Niger'],
    });
    for (const u of urlsIn(String(tricky.content_html))) expect(u).toMatch(/^https:\/\//);
  });
});

describe('per-tag RSS /tags/<tag>/feed.xml', () => {
  it('lists only the tag’s published articles, and links to the tag page', async () => {
    const s = await site();
    const res = await request(s.app).get('/tags/energy-power/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const channel = obj(obj(parseXml(res.text).rss).channel);
    expect(channel.title).toBe('Energy & Power – Newsroom');
    expect(channel.link).toBe('https://news.example/tags/energy-power/');
    expect(obj(channel['atom:link'])['@href']).toBe('https://news.example/tags/energy-power/feed.xml');
    expect(list(channel.item).map((i) => i.title)).toEqual([TRICKY_TITLE]);
    const odd = obj(obj(parseXml((await request(s.app).get('/tags/odd/feed.xml')).text).rss).channel);
    expect(list(odd.item)).toHaveLength(12);
  });

  it('is 404 for an unknown tag or a tag path that is not a slug', async () => {
    const s = await site();
    expect((await request(s.app).get('/tags/nope/feed.xml')).status).toBe(404);
    expect((await request(s.app).get('/tags/Energy/feed.xml')).status).toBe(404);
  });
});

describe('settleFeedItem (the export, after each article page)', () => {
  it('leaves every feed and page byte for byte as they were, for old articles and the newest alike', async () => {
    const urls = ['/feed.xml', '/atom.xml', '/feed.json', '/tags/odd/feed.xml', '/tags/even/feed.xml', '/tags/energy-power/feed.xml'];
    const plain = await site();
    const expected = new Map<string, string>();
    for (const a of plain.store.view.articles) expected.set(a.url, (await request(plain.app).get(a.url)).text);
    for (const u of urls) expected.set(u, (await request(plain.app).get(u)).text);

    const s = await site();
    const view = s.store.view;
    for (const a of view.articles) {
      expect((await request(s.app).get(a.url)).text, a.url).toBe(expected.get(a.url));
      settleFeedItem(s.app.renderer, view, a);
    }
    // An old article lets go of its body HTML; one of the newest (in the Atom and JSON feeds) keeps it.
    const old = view.bySlug.get('a01')!;
    const newest = view.bySlug.get('a23')!;
    expect(s.app.renderer.keepsBody(old)).toBe(false);
    expect(s.app.renderer.keepsBody(newest)).toBe(true);
    for (const u of urls) expect((await request(s.app).get(u)).text, u).toBe(expected.get(u));
    // The tag feed took the old article's kept RSS item: its body was not rendered again.
    expect(s.app.renderer.keepsBody(old)).toBe(false);
    // A settled article's page renders its body again when asked.
    s.app.pages.cache.delete(old.url);
    expect((await request(s.app).get(old.url)).text).toBe(expected.get(old.url));
    expect(expected.get('/tags/odd/feed.xml')).toContain('Body of story 01.');
  });
});

describe('feed ids', () => {
  it('keep the front matter id after a slug rename, while the link follows the new slug', async () => {
    const s = await site();
    const before = await new Parser().parseString((await request(s.app).get('/feed.xml')).text);
    const old = before.items.find((i) => i.title === TRICKY_TITLE)!;
    expect(old.guid).toBe(TRICKY_ID);
    renameSync(path.join(s.contentDir, 'tricky.md'), path.join(s.contentDir, 'fish-and-chips.md'));
    s.store.setContent(await s.loader.load());
    for (const p of ['/feed.xml', '/atom.xml']) {
      const after = await new Parser().parseString((await request(s.app).get(p)).text);
      const renamed = after.items.find((i) => i.title === TRICKY_TITLE)! as Record<string, unknown>;
      expect(renamed.guid ?? renamed.id, p).toBe(TRICKY_ID);
      expect(renamed.link, p).toBe('https://news.example/articles/fish-and-chips/');
    }
    const json = JSON.parse((await request(s.app).get('/feed.json')).text) as { items: { id: string; url: string }[] };
    expect(json.items[1]).toMatchObject({ id: TRICKY_ID, url: 'https://news.example/articles/fish-and-chips/' });
  });

  it('without front matter id, is an RFC 4151 tag URI from the SITE_URL host, the date in SITE_TIMEZONE and the slug', () => {
    const config = testConfig({ SITE_URL: 'https://News.Example:8443/base', SITE_TIMEZONE: 'America/New_York' });
    const a = { slug: 'late-story', date: { ms: Date.parse('2024-03-22T02:00:00Z'), dateOnly: false } } as Article;
    expect(feedId(a, config)).toBe('tag:news.example,2024-03-21:late-story');
    expect(feedId({ ...a, id: 'urn:uuid:1' }, config)).toBe('urn:uuid:1');
  });
});

describe('feed freshness', () => {
  it('an edited article and a newly published one appear in the feeds at once', async () => {
    const s = await site();
    await request(s.app).get('/feed.xml');
    await request(s.app).get('/tags/odd/feed.xml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(s.contentDir, 'a23.md'), md('title: Story 23 revised\ndate: 2024-05-23\nauthor: Ann Lee\ntags: [Odd]', 'New text.'));
    writeFileSync(path.join(s.contentDir, 'fresh.md'), md('title: Fresh\ndate: 2024-06-09\nauthor: Ann Lee', 'Fresh text.'));
    s.store.setContent(await s.loader.load());
    const rss = await new Parser().parseString((await request(s.app).get('/feed.xml')).text);
    expect(rss.items[0]!.title).toBe('Fresh');
    expect(rss.items.map((i) => i.title)).toContain('Story 23 revised');
    const tag = await new Parser().parseString((await request(s.app).get('/tags/odd/feed.xml')).text);
    expect(tag.items[0]!.title).toBe('Story 23 revised');
  });
});

describe('XML escaping', () => {
  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape(`a & b < c > d "e" 'f' ]]> g`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; ]]&gt; g');
    expect(xmlEscape('x\u0000\u0001\u0008\u000b\u001f\ufffe\uffff\ud800y\tz\n')).toBe('xy\tz\n');
    expect(xmlEscape('emoji 😀 and é')).toBe('emoji 😀 and é');
    // A lone surrogate next to a pair, and text with nothing to remove at all.
    expect(xmlEscape('\ud83d😀\ude00 x')).toBe('😀 x');
    expect(xmlEscape('“plain” — text')).toBe('“plain” — text');
    const doc = `<t a="${xmlEscape('q"\'<&\u0002')}">${xmlEscape('<![CDATA[ ]]> \u0007 & more')}</t>`;
    expect(XMLValidator.validate(doc)).toBe(true);
    expect(obj(xml.parse(doc)).t).toEqual({ '#text': '<![CDATA[ ]]>  & more', '@a': 'q"\'<&' });
  });

  it('makes site-relative and document-relative URLs absolute and leaves others alone', () => {
    const html =
      '<a href="/x/?a=1&amp;b=2">1</a><img src="/i.png" alt=""><a href="#n">2</a><a href="y/">3</a><a href="mailto:a@b.example">4</a><a href="https://o.example/">5</a><blockquote cite="/q/">q</blockquote><pre><code>&lt;a href="/kept/"&gt;</code></pre>';
    expect(absolutizeHtml(html, 'https://news.example/base', 'https://news.example/base/articles/s/')).toBe(
      '<a href="https://news.example/base/x/?a=1&amp;b=2">1</a><img src="https://news.example/base/i.png" alt=""><a href="https://news.example/base/articles/s/#n">2</a><a href="https://news.example/base/articles/s/y/">3</a><a href="mailto:a@b.example">4</a><a href="https://o.example/">5</a><blockquote cite="https://news.example/base/q/">q</blockquote><pre><code>&lt;a href="/kept/"&gt;</code></pre>',
    );
  });
});
