// Warm-up: the site-wide pages (home, newest article, feeds, sitemaps, robots.txt) are prepared at start-up
// and again in the background after each content change, through the Express app itself.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { keepWarm, WARM_PATHS, type Warmer } from '../src/http/warmUp.js';
import { closeSites, makeSite, md } from './helpers/site.js';

let warmer: Warmer | undefined;
afterEach(() => {
  warmer?.stop();
  closeSites();
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const FILES = {
  'older.md': md('title: Older story\ndate: 2024-03-01\nauthor: Ana Ruiz\ntags: [Energy]', 'Older body.'),
  'newer.md': md('title: Newer story\ndate: 2024-03-05\nauthor: Ben Okafor\ntags: [Energy]', 'Newer body.'),
};

describe('keepWarm', () => {
  it('prepares the site-wide pages and the newest article before it returns, without any request', async () => {
    const site = await makeSite(FILES);
    expect(site.app.pages.cache.size).toBe(0);
    warmer = keepWarm(site.app.express, site.store);
    for (const p of [...WARM_PATHS, '/articles/newer/']) expect(site.app.pages.cache.has(p), p).toBe(true);
    expect(site.app.pages.cache.has('/articles/older/')).toBe(false);
    // What it prepared is what a request gets.
    const res = await request(site.app).get('/feed.xml').expect(200);
    expect(res.text).toContain('Newer story');
  });

  it('with deferred compression (as before listening), answers uncompressed until completeCompression() has run', async () => {
    const site = await makeSite(FILES);
    site.app.pages.deferCompression = true;
    warmer = keepWarm(site.app.express, site.store);
    site.app.pages.deferCompression = false;
    const before = await request(site.app).get('/sitemap.xml').set('Accept-Encoding', 'br').expect(200);
    expect(before.headers['content-encoding']).toBeUndefined();
    expect(before.headers.vary).toBe('Accept-Encoding');
    await site.app.pages.completeCompression();
    const after = await request(site.app).get('/sitemap.xml').set('Accept-Encoding', 'br').expect(200);
    expect(after.headers['content-encoding']).toBe('br');
    expect(after.text).toBe(before.text);
    expect(after.headers.etag).toMatch(/-br"$/);
    expect(before.headers.etag).not.toMatch(/-br"$/);
    // Pages rendered after warming are compressed at once.
    expect((await request(site.app).get('/articles/older/').set('Accept-Encoding', 'gzip').expect(200)).headers['content-encoding']).toBe('gzip');
  });

  it('prepares them again after a content change', async () => {
    const site = await makeSite(FILES);
    warmer = keepWarm(site.app.express, site.store);
    await warmer.idle();
    writeFileSync(path.join(site.contentDir, 'newest.md'), md('title: Newest story\ndate: 2024-03-09\nauthor: Ana Ruiz', 'Newest body.'));
    site.store.setContent(await site.loader.load());
    expect(site.app.pages.cache.has('/feed.xml')).toBe(false);
    await until(() => site.app.pages.cache.has('/feed.xml') && site.app.pages.cache.has('/articles/newest/'));
    expect(site.app.pages.cache.get('/')!.identity.body.toString()).toContain('Newest story');
  });
});

describe('SitePages.keep (off in the static export)', () => {
  it('off: each page is rendered and handed back, the same bytes the server sends, and nothing is kept', async () => {
    const site = await makeSite(FILES);
    site.app.pages.keep = false;
    const article = site.app.pages.article('newer')!;
    const home = site.app.pages.home(1)!;
    expect(site.app.pages.article('missing')).toBeUndefined();
    expect(site.app.pages.home(99)).toBeUndefined();
    expect(site.app.pages.cache.size).toBe(0);
    // Asked again, it is rendered again: a new response with the same bytes.
    const again = site.app.pages.article('newer')!;
    expect(again).not.toBe(article);
    expect(again.identity.body.equals(article.identity.body)).toBe(true);
    expect(site.app.pages.cache.size).toBe(0);

    site.app.pages.keep = true;
    const served = await request(site.app).get('/articles/newer/').expect(200);
    expect(Buffer.from(served.text).equals(article.identity.body)).toBe(true);
    expect((await request(site.app).get('/').expect(200)).text).toBe(home.identity.body.toString('utf8'));
    expect(site.app.pages.cache.has('/articles/newer/')).toBe(true);
  });
});
