// The newsroom workflow features, end to end through the app: aliases (renamed slugs keep their links),
// corrections, "Updated" dates, non-article pages, and preview of drafts and scheduled articles.

import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/content/diagnostic.js';
import { elements, textOf } from './helpers/html.js';
import { closeSites, makeSite, md } from './helpers/site.js';

afterEach(closeSites);

const art = (title: string, extra = '', date = '2024-03-22'): string => md(`title: ${title}\ndate: ${date}\nauthor: Jane Doe${extra ? `\n${extra}` : ''}`, `${title} body.`);
const errorsOf = (site: { state: { diagnostics: readonly Parameters<typeof formatDiagnostic>[0][] } }): string[] =>
  site.state.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

describe('aliases', () => {
  it('answer 301 to the current URL, with or without the trailing slash', async () => {
    const site = await makeSite({
      'new-name.md': art('Renamed story', 'aliases:\n  - /articles/old-name/\n  - /2019/05/old-story.html\n  - /news/older-name'),
    });
    for (const [from, to] of [
      ['/articles/old-name/', '/articles/new-name/'],
      ['/articles/old-name', '/articles/new-name/'],
      ['/2019/05/old-story.html', '/articles/new-name/'],
      ['/news/older-name/', '/articles/new-name/'],
      ['/news/older-name', '/articles/new-name/'],
    ]) {
      const res = await request(site.app).get(from!);
      expect(res.status, from).toBe(301);
      expect(res.headers.location, from).toBe(to);
    }
    await request(site.app).get('/articles/new-name/').expect(200);
    await request(site.app).head('/articles/old-name/').expect(301);
  });

  it('are refused with a scheme, "//", "..", or as the home page, and the article is not published', async () => {
    const site = await makeSite({
      'scheme.md': art('Scheme', 'aliases: ["https://evil.example/x"]'),
      'slashes.md': art('Slashes', 'aliases: ["//evil.example/x"]'),
      'dots.md': art('Dots', 'aliases: ["/a/../articles/x/"]'),
      'js.md': art('Js', 'aliases: ["/javascript:alert(1)"]'),
      'home.md': art('Home', 'aliases: ["/"]'),
      'fine.md': art('Fine'),
    });
    const rule = 'must be a site-relative path starting with a single / (no scheme, no //, no ..)';
    expect(errorsOf(site)).toEqual([
      `dots.md:5:11: aliases: "/a/../articles/x/" ${rule}`,
      `home.md:5:11: aliases: the home page cannot be an alias`,
      `js.md:5:11: aliases: "/javascript:alert(1)" ${rule}`,
      `scheme.md:5:11: aliases: "https://evil.example/x" ${rule}`,
      `slashes.md:5:11: aliases: "//evil.example/x" ${rule}`,
    ]);
    for (const slug of ['scheme', 'slashes', 'dots', 'js', 'home']) await request(site.app).get(`/articles/${slug}/`).expect(404);
    await request(site.app).get('/articles/fine/').expect(200);
    const res = await request(site.app).get('//evil.example/x');
    expect(res.headers.location ?? '').not.toContain('evil.example');
  });

  it("are refused when they collide with another article's URL or alias, or a page's URL", async () => {
    const site = await makeSite({
      'a-first.md': art('First', 'aliases: ["/old/shared/"]'),
      'b-second.md': art('Second', 'aliases: ["/old/shared"]'),
      'c-third.md': art('Third', 'aliases: ["/articles/a-first/"]'),
      'd-fourth.md': art('Fourth', 'aliases: ["/about/"]'),
      'pages/about.md': md('title: About'),
    });
    expect(errorsOf(site)).toEqual([
      'b-second.md:1:1: aliases: alias "/old/shared" is already the address or an alias of a-first.md; this file is not published',
      'c-third.md:1:1: aliases: alias "/articles/a-first" is already the address or an alias of a-first.md; this file is not published',
      'd-fourth.md:1:1: aliases: alias "/about" is already the address or an alias of pages/about.md; this file is not published',
    ]);
    expect((await request(site.app).get('/old/shared/')).headers.location).toBe('/articles/a-first/');
    await request(site.app).get('/articles/a-first/').expect(200);
    await request(site.app).get('/about/').expect(200);
    for (const slug of ['b-second', 'c-third', 'd-fourth']) await request(site.app).get(`/articles/${slug}/`).expect(404);
  });
});

describe('corrections', () => {
  it('are shown under "Corrections", dated, newest first', async () => {
    const site = await makeSite({
      'fixed.md': art(
        'Fixed story',
        'corrections:\n  - date: 2024-03-23\n    text: An earlier version misspelled the minister\'s name.\n  - date: 2024-03-25\n    text: The vote was on Tuesday, not Monday.',
      ),
    });
    const html = (await request(site.app).get('/articles/fixed/').expect(200)).text;
    const section = elements(html, 'section', 'class="corrections"')[0] ?? '';
    expect(section).toContain('<h2 id="corrections-heading">Corrections</h2>');
    expect(elements(section, 'li')).toEqual([
      '<li><time datetime="2024-03-25">March 25, 2024</time>: The vote was on Tuesday, not Monday.</li>',
      '<li><time datetime="2024-03-23">March 23, 2024</time>: An earlier version misspelled the minister&#39;s name.</li>',
    ]);
    // After the body, at the end of the article.
    expect(html.indexOf('Fixed story body.')).toBeLessThan(html.indexOf('corrections-heading'));
    expect(html.indexOf('corrections-heading')).toBeLessThan(html.indexOf('</article>'));
  });

  it('are absent when there are none, and an incomplete one is an error', async () => {
    const site = await makeSite({
      'plain.md': art('Plain story'),
      'bad.md': art('Bad story', 'corrections:\n  - date: 2024-03-23'),
    });
    expect((await request(site.app).get('/articles/plain/')).text).not.toContain('Corrections');
    expect(errorsOf(site)).toEqual(['bad.md:6:5: corrections.text: is required']);
    await request(site.app).get('/articles/bad/').expect(404);
  });
});

describe('updated', () => {
  it('shows "Updated <date>" in a <time> next to the publication date', async () => {
    const site = await makeSite({ 'revised.md': art('Revised story', 'updated: 2024-03-24') });
    const html = (await request(site.app).get('/articles/revised/').expect(200)).text;
    const byline = elements(html, 'p', 'class="byline"')[0] ?? '';
    expect(byline).toContain('<time datetime="2024-03-22">March 22, 2024</time> | Updated <time datetime="2024-03-24">March 24, 2024</time>');
    expect(textOf(byline)).toBe('By Jane Doe | March 22, 2024 | Updated March 24, 2024');
  });

  it('is an error when earlier than the date', async () => {
    const site = await makeSite({ 'backwards.md': art('Backwards', 'updated: 2024-03-01') });
    expect(errorsOf(site)).toEqual(['backwards.md:5:10: updated: is earlier than date']);
  });
});

describe('pages', () => {
  const pages = {
    'story.md': art('A story'),
    'pages/about.md': md('title: About us\norder: 2', 'We report the news.'),
    'pages/contact.md': md('title: Contact\norder: 1', 'Write to us.'),
    'pages/privacy.md': md('title: Privacy', 'We keep no personal data.'),
    'pages/hidden.md': md('title: Hidden\ndraft: true', 'Not yet.'),
    'pages/nested/deep.md': md('title: Deep', 'Too deep.'),
  };

  it('are served at /<slug>/ in the site layout', async () => {
    const site = await makeSite(pages);
    const res = await request(site.app).get('/about/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(elements(res.text, 'h1')[0]).toBe('<h1>About us</h1>');
    expect(res.text).toContain('<p>We report the news.</p>');
    expect(res.text).toContain('<a class="skip-link" href="#main">Skip to content</a>');
    expect((await request(site.app).get('/about').expect(301)).headers.location).toBe('/about/');
    for (const p of ['/hidden/', '/deep/', '/nested/deep/', '/pages/about/']) await request(site.app).get(p).expect(404);
  });

  it('are linked from every footer in the order of `order:`, unordered ones last', async () => {
    const site = await makeSite(pages);
    for (const p of ['/', '/articles/a-story/', '/about/', '/no-such-page/']) {
      const footer = elements((await request(site.app).get(p)).text, 'footer')[0] ?? '';
      expect(elements(footer, 'li'), p).toEqual([
        '<li><a href="/contact/">Contact</a></li>',
        '<li><a href="/about/">About us</a></li>',
        '<li><a href="/privacy/">Privacy</a></li>',
        '<li><a href="/feed.xml">RSS feed</a></li>',
      ]);
    }
  });

  it('refuse a slug that collides with a route the site uses', async () => {
    const site = await makeSite({
      'pages/articles.md': md('title: Articles', 'Shadowing.'),
      'pages/feeds.md': md('title: Feeds\nslug: tags', 'Shadowing.'),
      'pages/healthz.md': md('title: Health', 'Shadowing.'),
    });
    expect(errorsOf(site)).toEqual([
      'pages/articles.md:2:8: title: page slug "articles" collides with a route the site uses',
      'pages/feeds.md:3:7: slug: page slug "tags" collides with a route the site uses',
      'pages/healthz.md:2:8: title: page slug "healthz" collides with a route the site uses',
    ]);
    await request(site.app).get('/articles/').expect(404);
    await request(site.app).get('/tags/').expect(404);
    expect((await request(site.app).get('/healthz')).body).toEqual({ status: 'ok' });
  });
});

describe('preview', () => {
  const files = {
    'live.md': art('Live story'),
    'draft.md': art('Draft story', 'draft: true'),
    'future.md': art('Future story', '', '2099-01-01'),
  };

  it('off (the default): drafts and scheduled articles are 404 and appear nowhere', async () => {
    const site = await makeSite(files);
    await request(site.app).get('/articles/draft/').expect(404);
    await request(site.app).get('/articles/future/').expect(404);
    for (const p of ['/', '/authors/jane-doe/', '/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml']) {
      const res = await request(site.app).get(p);
      expect(res.status, p).toBe(200);
      const body = res.text || JSON.stringify(res.body);
      expect(body, p).not.toContain('Draft story');
      expect(body, p).not.toContain('Future story');
      expect(body, p).not.toContain('/articles/draft/');
      expect(body, p).not.toContain('/articles/future/');
    }
    const live = (await request(site.app).get('/articles/live/').expect(200)).text;
    expect(live).not.toContain('preview-banner');
    expect(live).toContain('<meta name="robots" content="index, follow, max-image-preview:large">');
  });

  it('on: they are served with a banner, noindex, and never cached by browsers or proxies', async () => {
    const site = await makeSite(files, { env: { PREVIEW: 'true' } });
    const draft = await request(site.app).get('/articles/draft/').expect(200);
    expect(elements(draft.text, 'p', 'class="preview-banner"')).toEqual(['<p class="preview-banner" role="status">Draft: not published</p>']);
    expect(draft.text).toContain('<meta name="robots" content="noindex">');
    expect(draft.headers['cache-control']).toBe('no-store');

    const future = await request(site.app).get('/articles/future/').expect(200);
    expect(elements(future.text, 'p', 'class="preview-banner"')).toEqual(['<p class="preview-banner" role="status">Scheduled for January 1, 2099</p>']);
    expect(future.text).toContain('<meta name="robots" content="noindex">');
    expect(future.headers['cache-control']).toBe('no-store');

    const live = (await request(site.app).get('/articles/live/').expect(200)).text;
    expect(live).not.toContain('preview-banner');
    expect(live).not.toContain('content="noindex"');
    expect((await request(site.app).get('/').expect(200)).text).toContain('Draft story');
  });
});
