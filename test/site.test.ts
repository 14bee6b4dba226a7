// The core site through createApp + supertest: home and article pages element by element, redirects,
// 404s, HEAD, security headers on every response type, drafts, scheduling, preview and time zones.

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { ContentStore } from '../src/ContentStore.js';
import { elements, textOf } from './helpers/html.js';
import { png } from './helpers/png.js';
import { closeSites, fixedClock, makeSite, md, type TestSite } from './helpers/site.js';

afterEach(closeSites);

const NOW = Date.parse('2024-06-01T12:00:00Z');

const HOME_FILES = {
  'older.md': md('title: Older Story\ndate: 2024-03-20\nauthor: Ann Lee\nsummary: The older one.', 'Older body.'),
  'b-same-day.md': md('title: B Same Day\ndate: 2024-03-22\nauthor: Bo Chen\nsummary: Second of the day by slug.', 'B body.'),
  'a-same-day.md': md('title: A Same Day\ndate: 2024-03-22\nauthor: Cy Diaz\nsummary: First of the day by slug.', 'A body.'),
  'newest.md': md(
    'title: Newest & Latest\ndate: 2024-03-22T12:00:00Z\nauthor: [Ann Lee, Bo Chen]\npublisher: Example Wire\nsummary: Newest <summary> text.',
    'Newest body.',
  ),
};

async function get(site: TestSite, path: string): Promise<request.Response> {
  return request(site.app).get(path);
}

function expectSecurityHeaders(res: request.Response): void {
  const csp = res.headers['content-security-policy'] as string | undefined;
  expect(csp).toBeDefined();
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
}

describe('home page', () => {
  it('lists articles newest first, then by slug, each with headline link, byline, date and summary', async () => {
    const site = await makeSite(HOME_FILES, { clock: fixedClock(NOW) });
    const res = await get(site, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    // Blank lines left by template includes are not part of what is asserted.
    const teasers = elements(res.text, 'article', 'class="teaser"').map((t) => t.replace(/\n{2,}/g, '\n'));
    expect(teasers).toEqual([
      [
        '<article class="teaser">',
        '<h2><a href="/articles/newest/">Newest &amp; Latest</a></h2>',
        '<p class="byline">By Ann Lee and Bo Chen, Example Wire | <time datetime="2024-03-22T12:00:00+00:00">March 22, 2024</time></p>',
        '<p class="summary">Newest &lt;summary&gt; text.</p>',
        '</article>',
      ].join('\n'),
      [
        '<article class="teaser">',
        '<h2><a href="/articles/a-same-day/">A Same Day</a></h2>',
        '<p class="byline">By Cy Diaz | <time datetime="2024-03-22">March 22, 2024</time></p>',
        '<p class="summary">First of the day by slug.</p>',
        '</article>',
      ].join('\n'),
      [
        '<article class="teaser">',
        '<h2><a href="/articles/b-same-day/">B Same Day</a></h2>',
        '<p class="byline">By Bo Chen | <time datetime="2024-03-22">March 22, 2024</time></p>',
        '<p class="summary">Second of the day by slug.</p>',
        '</article>',
      ].join('\n'),
      [
        '<article class="teaser">',
        '<h2><a href="/articles/older/">Older Story</a></h2>',
        '<p class="byline">By Ann Lee | <time datetime="2024-03-20">March 20, 2024</time></p>',
        '<p class="summary">The older one.</p>',
        '</article>',
      ].join('\n'),
    ]);
    expect(res.text).toContain('<title>Newsroom</title>');
    expect(elements(res.text, 'h1')).toEqual(['<h1>Latest news</h1>']);
  });

  it('says so when nothing is published', async () => {
    const site = await makeSite({});
    const res = await get(site, '/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<p>No articles have been published yet.</p>');
  });
});

const PHOTO_ARTICLE = md(
  [
    'title: "Troops <Stay> & Talk"',
    'date: 2024-03-22',
    'author: Micaela Burrow',
    'publisher: The Daily Caller News Foundation',
    'summary: Talks are under way.',
    'image:',
    '  src: /images/photo.png',
    '  alt: Soldiers at the "air base"',
    '  caption: The base near Agadez.',
    '  credit: Photo by Diego González / Unsplash',
    'source:',
    '  name: The Daily Caller News Foundation',
    '  url: https://tippinsights.com/us-quietly-trying/',
  ].join('\n'),
  'First paragraph.\n\n## Background\n\nSecond paragraph.',
);

describe('article page', () => {
  it('has a skip link as the first focusable element, targeting <main id="main">', async () => {
    const site = await makeSite({ 'troops.md': PHOTO_ARTICLE }, { publicFiles: { 'images/photo.png': png(40, 30) } });
    const res = await get(site, '/articles/troops/');
    expect(res.status).toBe(200);
    const body = res.text.slice(res.text.indexOf('<body'));
    const firstFocusable = /<(a|button|input|select|textarea|summary)\b[^>]*>|<[^>]+tabindex="(?!-)[^"]*"[^>]*>/.exec(body);
    expect(firstFocusable?.[0]).toBe('<a class="skip-link" href="#main">');
    expect(body).toMatch(/^<body>\n<a class="skip-link" href="#main">Skip to content<\/a>\n/);
    expect(res.text.match(/ id="main"/g)).toHaveLength(1);
    expect(res.text).toContain('<main id="main" tabindex="-1">');
  });

  it('shows the head, one h1, the figure, the byline, the body and the source link', async () => {
    const site = await makeSite({ 'troops.md': PHOTO_ARTICLE }, { publicFiles: { 'images/photo.png': png(40, 30) } });
    const html = (await get(site, '/articles/troops/')).text;
    expect(html.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n')).toBe(true);
    expect(html).toContain('<title>Troops &lt;Stay&gt; &amp; Talk</title>');
    expect(html).toContain('<meta name="description" content="Talks are under way.">');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/style\.[0-9a-f]{12}\.css">/);
    expect(elements(html, 'h1')).toEqual(['<h1>Troops &lt;Stay&gt; &amp; Talk</h1>']);
    expect(elements(html, 'article')).toHaveLength(1);
    expect(elements(html, 'figure')).toEqual([
      [
        '<figure class="feature">',
        '<img src="/images/photo.png" alt="Soldiers at the &#34;air base&#34;" width="40" height="30" fetchpriority="high">',
        '<figcaption><span class="caption">The base near Agadez.</span> <span class="credit">Photo by Diego González / Unsplash</span></figcaption>',
        '</figure>',
      ].join('\n'),
    ]);
    expect(elements(html, 'p', 'class="byline"')).toEqual([
      '<p class="byline">By <a href="/authors/micaela-burrow/">Micaela Burrow</a>, The Daily Caller News Foundation | <time datetime="2024-03-22">March 22, 2024</time></p>',
    ]);
    expect(textOf(elements(html, 'p', 'class="byline"')[0]!)).toBe('By Micaela Burrow, The Daily Caller News Foundation | March 22, 2024');
    expect(elements(html, 'div', 'class="story-body"')).toEqual([
      '<div class="story-body">\n<p>First paragraph.</p>\n<h2 id="background">Background</h2>\n<p>Second paragraph.</p>\n</div>',
    ]);
    expect(elements(html, 'p', 'class="source"')).toEqual([
      '<p class="source"><a href="https://tippinsights.com/us-quietly-trying/" rel="noopener noreferrer">Original article link</a></p>',
    ]);
    expect(html).toContain('<header class="site-header">');
    expect(html).toContain('<footer class="site-footer">');
    expect(html).not.toMatch(/\sstyle=|<script(?! type="application\/ld\+json")/);
  });

  it('serves the feature image file', async () => {
    const bytes = png(40, 30);
    const site = await makeSite({ 'troops.md': PHOTO_ARTICLE }, { publicFiles: { 'images/photo.png': bytes } });
    const res = await request(site.app).get('/images/photo.png').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);
  });

  it('shows the credit line alone when the image has a credit but no file', async () => {
    const site = await makeSite({
      'credit-only.md': md('title: Credit Only\ndate: 2024-03-22\nauthor: A\nimage:\n  credit: Photo by Diego González / Unsplash', 'Body.'),
      'missing-file.md': md('title: Missing File\ndate: 2024-03-22\nauthor: A\nimage:\n  src: /images/nope.png\n  alt: Nothing\n  credit: Photo by X', 'Body.'),
    });
    const a = (await get(site, '/articles/credit-only/')).text;
    expect(a).not.toContain('<figure');
    expect(a).not.toContain('<img');
    expect(elements(a, 'p', 'class="credit"')).toEqual(['<p class="credit">Photo by Diego González / Unsplash</p>']);
    const b = (await get(site, '/articles/missing-file/')).text;
    expect(b).not.toContain('<img');
    expect(elements(b, 'p', 'class="credit"')).toEqual(['<p class="credit">Photo by X</p>']);
  });

  it.each([
    ['Ann Lee', 'By Ann Lee | March 22, 2024'],
    ['[Ann Lee, Bo Chen]', 'By Ann Lee and Bo Chen | March 22, 2024'],
    ['[Ann Lee, Bo Chen, Cy Diaz]', 'By Ann Lee, Bo Chen and Cy Diaz | March 22, 2024'],
    ['[Ann Lee, Bo Chen, Cy Diaz, Di Eze]', 'By Ann Lee, Bo Chen, Cy Diaz and Di Eze | March 22, 2024'],
  ])('bylines author: %s as %j', async (authors, byline) => {
    const site = await makeSite({ 'x.md': md(`title: X\ndate: 2024-03-22\nauthor: ${authors}`, 'Body.') });
    const html = (await get(site, '/articles/x/')).text;
    expect(elements(html, 'p', 'class="byline"').map(textOf)).toEqual([byline]);
    expect(html).toContain('<time datetime="2024-03-22">March 22, 2024</time>');
  });

  it('has no source link when there is no source.url', async () => {
    const site = await makeSite({ 'x.md': md('title: X\ndate: 2024-03-22\nauthor: A\nsource:\n  name: Wire', 'Body.') });
    expect((await get(site, '/articles/x/')).text).not.toContain('Original article link');
  });
});

describe('addresses', () => {
  it('answers 301 to the slashed form, keeping the query', async () => {
    const site = await makeSite(HOME_FILES);
    const res = await get(site, '/articles/older');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/articles/older/');
    expectSecurityHeaders(res);
    expect((await get(site, '/articles/older?utm=x')).headers.location).toBe('/articles/older/?utm=x');
  });

  it.each([
    '/articles/unknown/',
    '/articles/unknown',
    '/articles/Older/',
    '/articles/older/extra/',
    '/articles/..%2f..%2fpackage.json/',
    '/articles/..%2F..%2Fpackage.json',
    '/articles/%2e%2e/%2e%2e/package.json',
    '/articles/../package.json',
    '/package.json',
    '/content/older.md',
    '/src/app.ts',
    '/views/article.ejs',
    '/nothing-here/',
  ])('gives the 404 page for %s', async (path) => {
    const site = await makeSite(HOME_FILES);
    const res = await get(site, path);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(elements(res.text, 'h1')).toEqual(['<h1>Page not found</h1>']);
    expect(res.text).toContain('<a href="/">Go to the home page</a>');
    expect(res.text).toContain('<a class="skip-link" href="#main">Skip to content</a>');
    expect(res.text).toContain('<footer class="site-footer">');
    expect(res.text).not.toContain('"name": "newsroom"');
    expectSecurityHeaders(res);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const site = await makeSite(HOME_FILES);
    for (const path of ['/', '/articles/older/', '/articles/unknown/']) {
      const got = await request(site.app).get(path).set('Accept-Encoding', 'identity');
      const head = await request(site.app).head(path).set('Accept-Encoding', 'identity');
      expect(head.status).toBe(got.status);
      expect(head.text ?? '').toBe('');
      for (const h of ['content-type', 'content-length', 'etag', 'cache-control', 'content-security-policy', 'last-modified']) {
        expect([h, head.headers[h]]).toEqual([h, got.headers[h]]);
      }
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(got.text));
    }
  });
});

describe('security headers on every response type', () => {
  it('page, 404, 301, static file and hashed asset', async () => {
    const site = await makeSite(HOME_FILES);
    const page = await get(site, '/articles/older/');
    expectSecurityHeaders(page);
    expect(page.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=600, stale-if-error=86400');
    expectSecurityHeaders(await get(site, '/'));
    expectSecurityHeaders(await get(site, '/nope/'));
    expectSecurityHeaders(await get(site, '/articles/older'));
    const favicon = await get(site, '/favicon.svg');
    expect(favicon.status).toBe(200);
    expect(favicon.headers['content-type']).toBe('image/svg+xml');
    expectSecurityHeaders(favicon);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)![1]!;
    const css = await get(site, href);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(css);
  });
});

/** A store whose next read of the view throws, as a bug in a handler would. */
class FailingStore extends ContentStore {
  failNext = false;
  override get view(): ContentStore['view'] {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('internal detail: /srv/secret/path');
    }
    return super.view;
  }
}

describe('500 page', () => {
  async function failing(nodeEnv: string): Promise<request.Response> {
    const site = await makeSite(HOME_FILES);
    const config = testConfig({ CONTENT_DIR: site.contentDir, PUBLIC_DIR: site.publicDir, NODE_ENV: nodeEnv });
    const store = new FailingStore(site.state, { preview: false });
    const app = createApp(config, store);
    store.failNext = true;
    const res = await request(app).get('/articles/older/');
    store.dispose();
    return res;
  }

  it('shows no stack or internals in production and test', async () => {
    for (const env of ['production', 'test']) {
      const res = await failing(env);
      expect(res.status).toBe(500);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(elements(res.text, 'h1')).toEqual(['<h1>Something went wrong</h1>']);
      expect(res.text).toContain('The page could not be shown because of an error on our side. Please try again in a moment.');
      expect(res.text).not.toContain('internal detail');
      expect(res.text).not.toContain('error-detail');
      expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
      expectSecurityHeaders(res);
    }
  });

  it('shows the stack in development', async () => {
    const res = await failing('development');
    expect(res.status).toBe(500);
    expect(res.text).toContain('<pre class="error-detail">Error: internal detail: /srv/secret/path');
    expectSecurityHeaders(res);
  });

  it('keeps serving after an error', async () => {
    const site = await makeSite(HOME_FILES);
    const store = new FailingStore(site.state, { preview: false });
    const app = createApp(site.config, store);
    store.failNext = true;
    expect((await request(app).get('/articles/older/')).status).toBe(500);
    expect((await request(app).get('/articles/older/')).status).toBe(200);
    store.dispose();
  });
});

describe('drafts, scheduled articles and preview', () => {
  const files = {
    'live.md': md('title: Live\ndate: 2024-05-01\nauthor: A', 'Live body.'),
    'draft.md': md('title: Draft Story\ndate: 2024-05-02\nauthor: A\ndraft: true', 'Draft body.'),
    'future.md': md('title: Future Story\ndate: 2099-01-01\nauthor: A', 'Future body.'),
  };

  it('are 404 and absent from the home page without preview', async () => {
    const site = await makeSite(files, { clock: fixedClock(NOW) });
    expect((await get(site, '/articles/live/')).status).toBe(200);
    expect((await get(site, '/articles/draft/')).status).toBe(404);
    expect((await get(site, '/articles/future/')).status).toBe(404);
    expect((await get(site, '/articles/draft')).status).toBe(404);
    const home = (await get(site, '/')).text;
    expect(home).toContain('/articles/live/');
    expect(home).not.toContain('Draft Story');
    expect(home).not.toContain('Future Story');
  });

  it('are served with a banner and noindex under PREVIEW=true', async () => {
    const site = await makeSite(files, { env: { PREVIEW: 'true' }, clock: fixedClock(NOW) });
    const draft = await get(site, '/articles/draft/');
    expect(draft.status).toBe(200);
    expect(draft.text).toContain('<p class="preview-banner" role="status">Draft: not published</p>');
    expect(draft.text).toContain('<meta name="robots" content="noindex">');
    expect(draft.headers['cache-control']).toBe('no-store');
    const future = await get(site, '/articles/future/');
    expect(future.status).toBe(200);
    expect(future.text).toContain('<p class="preview-banner" role="status">Scheduled for January 1, 2099</p>');
    const live = await get(site, '/articles/live/');
    expect(live.text).not.toContain('preview-banner');
    const home = (await get(site, '/')).text;
    expect(home.indexOf('/articles/future/')).toBeLessThan(home.indexOf('/articles/draft/'));
    expect(home.indexOf('/articles/draft/')).toBeLessThan(home.indexOf('/articles/live/'));
  });

  it('publishes a date-only article at midnight in SITE_TIMEZONE (Asia/Tokyo)', async () => {
    const clock = fixedClock(Date.parse('2024-03-21T14:59:59Z')); // 23:59:59 on the 21st in Tokyo
    const site = await makeSite({ 'tokyo.md': md('title: Tokyo Story\ndate: 2024-03-22\nauthor: A', 'Body.') }, { env: { SITE_TIMEZONE: 'Asia/Tokyo' }, clock });
    expect((await get(site, '/articles/tokyo/')).status).toBe(404);
    expect((await get(site, '/')).text).not.toContain('Tokyo Story');
    clock.set(Date.parse('2024-03-21T15:00:00Z')); // midnight on the 22nd in Tokyo
    site.store.tick();
    const res = await get(site, '/articles/tokyo/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<time datetime="2024-03-22">March 22, 2024</time>');
    expect((await get(site, '/')).text).toContain('Tokyo Story');
  });

  it('the same date in UTC is still scheduled at that instant', async () => {
    const site = await makeSite({ 'utc.md': md('title: UTC Story\ndate: 2024-03-22\nauthor: A', 'Body.') }, { clock: fixedClock(Date.parse('2024-03-21T15:00:00Z')) });
    expect((await get(site, '/articles/utc/')).status).toBe(404);
  });
});
