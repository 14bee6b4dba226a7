// The fast path (a prepared page answered from memory before Express) and the Express path give identical
// responses for every page type and encoding; caching headers, ETags, 304 and HEAD behave as documented.
// Raw node:http requests are used so that bodies are compared byte for byte, compressed as sent.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDate } from '../src/dates.js';
import { closeSites, makeSite, md, type Files, type TestSite } from './helpers/site.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const ENCODINGS = ['identity', 'gzip', 'br'] as const;
const PAGE_POLICY = 'public, max-age=123, stale-while-revalidate=600, stale-if-error=86400';

const FILES: Files = {
  'energy-bill.md': md('title: Energy bill passes\ndate: 2024-03-01\nauthor: Ana Ruiz\ntags: [Energy, Courts]\nsummary: The bill passed.', 'The energy bill passed on Friday.\n\n## Reaction\n\nCritics were unhappy about it, and said so at length.'),
  'court-ruling.md': md('title: Court rules on levy\ndate: 2024-03-05\nupdated: 2024-04-20T08:30:00Z\nauthor: [Ana Ruiz, Ben Okafor]\ntags: [Courts]', 'The court ruled on the levy today. '.repeat(20)),
  'rail-strike.md': md('title: Rail strike ends\ndate: 2024-03-10\nauthor: Ben Okafor\ntags: [Transport]', 'Trains run again after a week. '.repeat(20)),
  'pages/about.md': md('title: About us\nsummary: Who we are.', 'We are a small newsroom. '.repeat(20)),
};

function listen(handler: http.RequestListener): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function get(server: http.Server, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const acceptFor = (enc: (typeof ENCODINGS)[number]): Record<string, string> => (enc === 'identity' ? {} : { 'accept-encoding': enc });

/** Headers as compared: all but Date (which moves with the clock). */
function comparable(h: http.IncomingHttpHeaders): Record<string, unknown> {
  const { date: _date, ...rest } = h;
  return rest;
}

function decoded(r: Raw): Buffer {
  const enc = r.headers['content-encoding'];
  return enc === 'gzip' ? gunzipSync(r.body) : enc === 'br' ? brotliDecompressSync(r.body) : r.body;
}

let site: TestSite;
let twin: TestSite;
let fast: http.Server;
let viaExpress: http.Server;
let twinServer: http.Server;
/** Every cacheable path of the test site, by page type. */
let paths: Record<string, string>;

beforeAll(async () => {
  site = await makeSite(FILES, { env: { PAGE_SIZE: '2', CACHE_MAX_AGE: '123' } });
  twin = await makeSite(FILES, { env: { PAGE_SIZE: '2', CACHE_MAX_AGE: '123' } });
  fast = await listen(site.app);
  viaExpress = await listen(site.app.express);
  twinServer = await listen(twin.app);
  const home = await get(viaExpress, '/');
  const css = /href="(\/assets\/style\.[0-9a-f]+\.css)"/.exec(home.body.toString())?.[1];
  expect(css).toBeDefined();
  paths = {
    home: '/',
    'home page 2': '/page/2/',
    article: '/articles/court-ruling/',
    page: '/about/',
    tag: '/tags/courts/',
    author: '/authors/ana-ruiz/',
    asset: css!,
  };
  // Feeds, sitemaps and robots.txt are prepared pages too, wherever the app serves them.
  for (const p of ['/feed.xml', '/atom.xml', '/feed.json', '/tags/courts/feed.xml', '/sitemap.xml', '/news-sitemap.xml', '/robots.txt']) {
    const r = await get(viaExpress, p);
    if (r.status !== 200) continue; // not served by this version of the app
    expect(site.app.pages.cache.has(p), `${p} is prepared`).toBe(true);
    paths[p] = p;
  }
});

afterAll(async () => {
  for (const s of [fast, viaExpress, twinServer]) await new Promise((r) => s.close(r));
  closeSites();
});

describe('fast path and Express path', () => {
  it('covers every page type, feeds and sitemaps included', () => {
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['home', 'home page 2', 'article', 'page', 'tag', 'author', 'asset']));
    expect(Object.keys(paths).length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/news-sitemap.xml', '/robots.txt']));
  });

  it('give identical status, headers and body for every page type and encoding, the fast path before Express', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      // The first request goes through Express's router, which renders and caches the page.
      site.app.pages.cache.delete(p);
      const cold = await get(viaExpress, p);
      expect(cold.status, kind).toBe(200);
      expect(site.app.pages.cache.has(p), kind).toBe(true);
      for (const enc of ENCODINGS) {
        const stats = { ...site.app.pages.cache.stats };
        const f = await get(fast, p, acceptFor(enc));
        // Answered from the cache without running a route (routes count hits and misses).
        expect(site.app.pages.cache.stats, `${kind} ${enc}`).toEqual(stats);
        const e = await get(viaExpress, p, acceptFor(enc));
        expect(f.status, `${kind} ${enc}`).toBe(e.status);
        expect(comparable(f.headers), `${kind} ${enc}`).toEqual(comparable(e.headers));
        expect(f.body.equals(e.body), `${kind} ${enc} body`).toBe(true);
        if (enc === 'identity') expect(f.body.equals(cold.body), `${kind} first render`).toBe(true);
      }
    }
  });

  it('negotiate Accept-Encoding with Vary, and every variant decodes to the same bytes', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      const plain = await get(fast, p);
      const compressible = plain.body.length >= 256 && !String(plain.headers['content-type']).startsWith('image/');
      for (const enc of ENCODINGS) {
        const r = await get(fast, p, acceptFor(enc));
        expect(decoded(r).equals(plain.body), `${kind} ${enc}`).toBe(true);
        if (compressible) {
          expect(r.headers.vary, kind).toBe('Accept-Encoding');
          expect(r.headers['content-encoding'], `${kind} ${enc}`).toBe(enc === 'identity' ? undefined : enc);
        }
        expect(Number(r.headers['content-length'])).toBe(r.body.length);
      }
    }
    // q=0 refuses an encoding; * accepts any.
    const art = paths.article!;
    expect((await get(fast, art, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get(fast, art, { 'accept-encoding': '*' })).headers['content-encoding']).toBe('br');
    expect((await get(fast, art, { 'accept-encoding': 'gzip;q=0, br;q=0' })).headers['content-encoding']).toBeUndefined();
  });

  it('answer If-None-Match with 304, the ETag and no body, on both paths', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      for (const enc of ENCODINGS) {
        const full = await get(fast, p, acceptFor(enc));
        const etag = full.headers.etag!;
        for (const server of [fast, viaExpress]) {
          const r = await get(server, p, { ...acceptFor(enc), 'if-none-match': etag });
          expect(r.status, `${kind} ${enc}`).toBe(304);
          expect(r.headers.etag).toBe(etag);
          expect(r.body.length).toBe(0);
          expect(r.headers['cache-control']).toBe(full.headers['cache-control']);
        }
        // A list of tags, and the weak form of ours, match too; another tag does not.
        expect((await get(fast, p, { ...acceptFor(enc), 'if-none-match': `"nope", W/${etag}` })).status).toBe(304);
        expect((await get(fast, p, { ...acceptFor(enc), 'if-none-match': '"nope"' })).status).toBe(200);
      }
    }
  });

  it('answer HEAD with the GET headers and no body, on both paths', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      for (const enc of ENCODINGS) {
        const g = await get(fast, p, acceptFor(enc));
        for (const server of [fast, viaExpress]) {
          const h = await get(server, p, acceptFor(enc), 'HEAD');
          expect(h.status, kind).toBe(200);
          expect(h.body.length, kind).toBe(0);
          expect(comparable(h.headers), `${kind} ${enc}`).toEqual(comparable(g.headers));
        }
      }
    }
  });
});

describe('caching headers', () => {
  it('strong ETags, one per encoding, derived from the body: equal across two separately built apps', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      const seen = new Set<string>();
      for (const enc of ENCODINGS) {
        const a = await get(fast, p, acceptFor(enc));
        const b = await get(twinServer, p, acceptFor(enc));
        expect(a.headers.etag, `${kind} ${enc}`).toMatch(/^"[A-Za-z0-9_-]{16,}(-gzip|-br)?"$/);
        expect(b.headers.etag, `${kind} ${enc}`).toBe(a.headers.etag);
        expect(b.body.equals(a.body)).toBe(true);
        seen.add(a.headers.etag!);
      }
      const compressed = (await get(fast, p, { 'accept-encoding': 'br' })).headers['content-encoding'] === 'br';
      expect(seen.size, kind).toBe(compressed ? 3 : 1);
    }
  });

  it('an ETag changes with the body, and only then', async () => {
    const p = paths.article!;
    const before = (await get(fast, p)).headers.etag;
    site.app.pages.cache.delete(p);
    expect((await get(fast, p)).headers.etag).toBe(before);
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    writeFileSync(path.join(site.contentDir, 'court-ruling.md'), FILES['court-ruling.md']!.toString().replace('today', 'this morning'));
    site.store.setContent(await site.loader.load());
    const after = await get(fast, p);
    expect(after.body.toString()).toContain('this morning');
    expect(after.headers.etag).not.toBe(before);
    writeFileSync(path.join(site.contentDir, 'court-ruling.md'), FILES['court-ruling.md']!);
    site.store.setContent(await site.loader.load());
    expect((await get(fast, p)).headers.etag).toBe(before);
  });

  it('Last-Modified is the newest date or update shown on the page, not the time it was prepared', async () => {
    const updated = Date.parse('2024-04-20T08:30:00Z');
    // The court ruling was updated after everything else was published; every page showing it says so.
    expect((await get(fast, paths.article!)).headers['last-modified']).toBe(httpDate(updated));
    expect((await get(fast, '/')).headers['last-modified']).toBe(httpDate(updated));
    expect((await get(fast, paths.tag!)).headers['last-modified']).toBe(httpDate(updated));
    // Page 2 shows only the oldest article (2024-03-01).
    expect((await get(fast, '/page/2/')).headers['last-modified']).toBe(httpDate(Date.parse('2024-03-01T00:00:00Z')));
  });

  it('HTML, feeds and sitemaps: public, max-age=CACHE_MAX_AGE, stale-while-revalidate, stale-if-error', async () => {
    for (const [kind, p] of Object.entries(paths)) {
      if (kind === 'asset') continue;
      expect((await get(fast, p)).headers['cache-control'], kind).toBe(PAGE_POLICY);
    }
  });

  it('the hashed stylesheet referenced from pages: immutable for a year', async () => {
    const r = await get(fast, paths.asset!);
    expect(paths.asset).toMatch(/^\/assets\/style\.[0-9a-f]{8,}\.css$/);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const p of [paths.article!, paths.page!, '/']) expect((await get(fast, p)).body.toString()).toContain(`href="${paths.asset}"`);
  });

  it('health endpoints and error pages: no-store', async () => {
    for (const p of ['/healthz', '/readyz', '/articles/no-such-article/', '/nowhere']) {
      const r = await get(fast, p);
      expect(r.headers['cache-control'], p).toBe('no-store');
    }
    expect((await get(fast, '/', {}, 'DELETE')).headers['cache-control']).toBe('no-store');
    expect((await get(fast, '/nowhere')).status).toBe(404);
  });
});
