/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// The design's promises, measured in Chromium: a 60-75 character measure for article text on a desktop,
// a clear type hierarchy (headline > body > byline > credit), system fonts only (no web font to wait
// for), images that carry their dimensions, and both colour schemes actually applied.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { load, PAGE_TYPES, SEED_SLUG, watchedPage, useSiteAndBrowser } from './harness.js';

const ctx = useSiteAndBrowser();

/** Characters on every line of the body's paragraphs except each paragraph's last (short) line. */
async function lineLengths(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const lines: number[] = [];
    const range = document.createRange();
    for (const para of document.querySelectorAll('.story-body > p')) {
      const perLine = new Map<number, number>();
      const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          const rect = range.getClientRects()[0];
          if (rect) perLine.set(Math.round(rect.top), (perLine.get(Math.round(rect.top)) ?? 0) + 1);
        }
      }
      lines.push(...[...perLine.entries()].sort((a, b) => a[0] - b[0]).map(([, count]) => count).slice(0, -1));
    }
    return lines;
  });
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('design', () => {
  it.each([
    { name: 'seed article', path: `/articles/${SEED_SLUG}/` },
    { name: 'article with a photo', path: '/articles/browser-feature-image/' },
  ])('sets the $name in a 60-75 character measure on a desktop', async ({ path: pagePath }) => {
    const w = await watchedPage(ctx.browser, ctx.site.origin, { viewport: { width: 1280, height: 800 } });
    try {
      await load(w, ctx.site.origin, pagePath);
      const lines = await lineLengths(w.page);
      expect(lines.length).toBeGreaterThan(5);
      const m = median(lines);
      expect(m).toBeGreaterThanOrEqual(60);
      expect(m).toBeLessThanOrEqual(75);
    } finally {
      await w.context.close();
    }
  });

  it('ranks headline, body, byline and credit by size, in that order on the page', async () => {
    const w = await watchedPage(ctx.browser, ctx.site.origin, { viewport: { width: 375, height: 812 } });
    try {
      await load(w, ctx.site.origin, '/articles/browser-feature-image/');
      const m = await w.page.evaluate(() => {
        const get = (sel: string): { size: number; top: number } => {
          const el = document.querySelector(sel)!;
          return { size: parseFloat(getComputedStyle(el).fontSize), top: el.getBoundingClientRect().top };
        };
        return { h1: get('h1'), image: get('.feature img'), credit: get('.feature .credit'), byline: get('.byline'), body: get('.story-body > p') };
      });
      expect(m.h1.size).toBeGreaterThanOrEqual(1.5 * m.body.size);
      expect(m.body.size).toBeGreaterThan(m.byline.size);
      expect(m.byline.size).toBeGreaterThan(m.credit.size);
      expect(m.h1.top).toBeLessThan(m.image.top);
      expect(m.image.top).toBeLessThan(m.credit.top);
      expect(m.credit.top).toBeLessThan(m.byline.top);
      expect(m.byline.top).toBeLessThan(m.body.top);
    } finally {
      await w.context.close();
    }
  });

  it.each(PAGE_TYPES)('$name uses system fonts only, and every image carries its width and height', async ({ path: pagePath, status }) => {
    const w = await watchedPage(ctx.browser, ctx.site.origin);
    try {
      const fontRequests: string[] = [];
      w.page.on('request', (r) => {
        if (r.resourceType() === 'font') fontRequests.push(r.url());
      });
      await load(w, ctx.site.origin, pagePath, status);
      const found = await w.page.evaluate(() => ({
        fontFaces: document.fonts.size,
        unsized: [...document.images].filter((img) => !img.getAttribute('width') || !img.getAttribute('height')).map((img) => img.outerHTML),
      }));
      expect({ ...found, fontRequests }).toEqual({ fontFaces: 0, unsized: [], fontRequests: [] });
    } finally {
      await w.context.close();
    }
  });

  it("follows the reader's colour scheme in light and dark", async () => {
    const colours: Record<string, { bg: string; text: string }> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      const w = await watchedPage(ctx.browser, ctx.site.origin, { colorScheme });
      try {
        await load(w, ctx.site.origin, '/');
        colours[colorScheme] = await w.page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color }));
      } finally {
        await w.context.close();
      }
    }
    expect(colours).toEqual({
      light: { bg: 'rgb(253, 252, 249)', text: 'rgb(28, 27, 25)' },
      dark: { bg: 'rgb(21, 20, 18)', text: 'rgb(235, 233, 228)' },
    });
  });
});
