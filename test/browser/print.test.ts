/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// Print: with print media emulated, navigation (masthead, footer, skip link, related links) is hidden and
// the article's headline, byline, text and source link remain, the link's address printed after it.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, load, ROOT, SEED_SLUG, startSite, watchedPage, type Site } from './harness.js';

const PRINT_DIR = path.join(ROOT, 'test-results/print');
const SOURCE_URL = 'https://tippinsights.com/us-quietly-trying-to-keep-troops-in-african-country-that-wants-to-kick-them-out/';

let site: Site;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startSite();
  await mkdir(PRINT_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('print stylesheet', () => {
  it('hides navigation and keeps the seed article, its byline and its source link', async () => {
    const w = await watchedPage(browser, site.origin);
    try {
      await load(w, site.origin, `/articles/${SEED_SLUG}/`);
      const page = w.page;
      // On screen everything is there (so the print assertions below test the print rules).
      for (const sel of ['.site-header', '.site-footer', 'nav[aria-label="Site pages"]', '.related']) expect(await page.isVisible(sel)).toBe(true);

      await page.emulateMedia({ media: 'print' });
      for (const sel of ['.site-header', '.site-footer', '.skip-link', 'nav[aria-label="Site pages"]', '.related']) {
        expect({ sel, visible: await page.isVisible(sel) }).toEqual({ sel, visible: false });
      }
      expect(await page.locator('h1').innerText()).toBe('US Quietly Trying To Keep Troops In African Country That Wants To Kick Them Out');
      expect(await page.locator('.byline').innerText()).toBe('By Micaela Burrow, The Daily Caller News Foundation | March 22, 2024');
      const paragraphs = page.locator('.story-body > p');
      expect(await paragraphs.count()).toBe(12);
      for (let i = 0; i < 12; i++) expect(await paragraphs.nth(i).isVisible()).toBe(true);
      expect(await paragraphs.first().innerText()).toMatch(/^The U\.S\. is working behind the scenes/);
      const source = page.locator('.source a');
      expect(await source.isVisible()).toBe(true);
      expect(await source.innerText()).toBe('Original article link');
      expect(await source.getAttribute('href')).toBe(SOURCE_URL);
      const printed = await source.evaluate((a) => getComputedStyle(a, '::after').content);
      expect(printed).toBe(`" (${SOURCE_URL})"`);

      await page.screenshot({ path: path.join(PRINT_DIR, 'article-seed-print.png'), fullPage: true });
      await page.pdf({ path: path.join(PRINT_DIR, 'article-seed.pdf'), format: 'A4', printBackground: false });
    } finally {
      await w.context.close();
    }
  });

  it('keeps the feature image, caption and credit of an article with a photo', async () => {
    const w = await watchedPage(browser, site.origin);
    try {
      await load(w, site.origin, '/articles/browser-feature-image/');
      await w.page.emulateMedia({ media: 'print' });
      expect(await w.page.isVisible('.site-header')).toBe(false);
      expect(await w.page.isVisible('.feature img')).toBe(true);
      expect(await w.page.locator('.feature figcaption').innerText()).toBe('The road out of the base at dusk, a day before the last convoy left. Photo by Newsroom staff');
      await w.page.screenshot({ path: path.join(PRINT_DIR, 'article-image-print.png'), fullPage: true });
    } finally {
      await w.context.close();
    }
  });
});
