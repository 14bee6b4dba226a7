/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// Hostile content in a real browser: an article full of script tags, event handlers, javascript: links and
// SVG/MathML mutation-XSS payloads is parsed by Chromium, and nothing runs. The checks look at what the
// browser built (mutation XSS only shows after parsing), at what the payloads would have done, and at
// the CSP listener (a blocked attempt is a failure too: the sanitiser must remove it first).

import { describe, expect, it } from 'vitest';
import { load, watchedPage, type Watched, useSiteAndBrowser } from './harness.js';

const TITLE = 'Hostile Markup Test: Nothing Here May Run';

const ctx = useSiteAndBrowser();

/** Gives the payloads every chance to fire: focus moves through the page, pointer over every element. */
async function provoke(w: Watched): Promise<void> {
  const count = await w.page.evaluate(() => document.querySelectorAll('a, button, input, [tabindex], details, summary').length);
  for (let i = 0; i < count + 3; i++) await w.page.keyboard.press('Tab');
  const boxes = await w.page.evaluate(() =>
    [...document.querySelectorAll('.story-body *')].map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0).map((r) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 })),
  );
  for (const b of boxes.slice(0, 200)) await w.page.mouse.move(b.x, b.y);
}

async function state(w: Watched): Promise<Record<string, unknown>> {
  return w.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    title: document.title,
    base: document.baseURI,
  }));
}

describe('a hostile article rendered in Chromium', () => {
  it('contains nothing executable after the browser has parsed it', async () => {
    const w = await watchedPage(ctx.browser, ctx.site.origin);
    try {
      expect(await load(w, ctx.site.origin, '/articles/browser-hostile/')).toBe(200);
      const found = await w.page.evaluate(() => {
        const bad: string[] = [];
        for (const el of document.querySelectorAll('*')) {
          const tag = el.tagName.toLowerCase();
          if (['iframe', 'object', 'embed', 'form', 'base', 'style', 'frame', 'frameset', 'applet'].includes(tag)) bad.push(`<${tag}>`);
          if (tag === 'script' && el.getAttribute('type') !== 'application/ld+json') bad.push('<script>');
          if (tag === 'meta' && el.hasAttribute('http-equiv')) bad.push('<meta http-equiv>');
          for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            const value = attr.value.replace(/[\s\p{Cc}]+/gu, '').toLowerCase();
            if (name.startsWith('on')) bad.push(`${tag}[${name}]`);
            if (name === 'style' || name === 'srcdoc' || name === 'formaction') bad.push(`${tag}[${name}]`);
            if (/^(javascript|vbscript|data):/.test(value) && /(href|src|action|data|xlink)/.test(name)) bad.push(`${tag}[${name}=${attr.value.slice(0, 40)}]`);
          }
        }
        return bad;
      });
      expect(found).toEqual([]);
      // The plain text around the payloads survives.
      expect(await w.page.locator('.story-body').innerText()).toContain('This paragraph is plain text and must remain.');
    } finally {
      await w.context.close();
    }
  });

  it('runs no script: no dialog, no global, title unchanged, no CSP report, no off-site request', async () => {
    const w = await watchedPage(ctx.browser, ctx.site.origin);
    try {
      await load(w, ctx.site.origin, '/articles/browser-hostile/');
      await provoke(w);
      await w.page.reload({ waitUntil: 'load' });
      expect(await state(w)).toEqual({ pwned: null, title: TITLE, base: `${ctx.site.origin}/articles/browser-hostile/` });
      expect(w.dialogs).toEqual([]);
      expect(w.cspViolations).toEqual([]);
      expect(w.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      expect(w.failedRequests.filter((r) => r.startsWith('off-site'))).toEqual([]);
    } finally {
      await w.context.close();
    }
  });

  it('would notice a payload that ran (the checks can fail)', async () => {
    const w = await watchedPage(ctx.browser, ctx.site.origin);
    try {
      await load(w, ctx.site.origin, '/articles/browser-hostile/');
      // What a successful payload does, done here through DevTools, which the page's CSP does not govern.
      await w.page.evaluate(() => {
        (window as unknown as { __pwned: string }).__pwned = 'control';
        document.title = 'pwned';
        alert('control');
      });
      expect(await state(w)).toMatchObject({ pwned: 'control', title: 'pwned' });
      expect(w.dialogs).toEqual(['alert: control']);
    } finally {
      await w.context.close();
    }
  });
});
