/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// Every page type in Chromium: axe (WCAG 2.0/2.1/2.2 A and AA, light and dark), the Nu HTML Checker,
// no console errors, failed requests or CSP violations, no layout shift, screenshots, and no
// horizontal scrolling at 320px.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, layoutShift, load, PAGE_TYPES, ROOT, SCREENSHOT_DIR, screenshotPath, startSite, watchedPage, type Site } from './harness.js';
import { formatMessage, isProblem, vnuCheck } from './vnu.js';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const VIEWPORTS = [
  { width: 375, height: 812 },
  { width: 1280, height: 800 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

let site: Site;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  site = await startSite();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary ?? v.help}`));
}

describe.each(PAGE_TYPES)('$name ($path)', ({ name, path: pagePath, status }) => {
  it('has no axe violations in light and dark colour schemes, on a phone and a desktop', async () => {
    for (const colorScheme of SCHEMES) {
      const w = await watchedPage(browser, site.origin, { colorScheme });
      try {
        for (const viewport of VIEWPORTS) {
          await w.page.setViewportSize(viewport);
          expect(await load(w, site.origin, pagePath, status)).toBe(status);
          expect(await w.page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
          const where = `${colorScheme} ${viewport.width}x${viewport.height}`;
          expect({ where, violations: await axeViolations(w.page) }).toEqual({ where, violations: [] });
        }
      } finally {
        await w.context.close();
      }
    }
  });

  // One retry: once, in CI, the first load of /about/ in a new context measured a shift of 0.0036, which
  // more than 200 loads under load did not reproduce (the shifted elements were not recorded then; they
  // are now, and printed). A real shift, from an image without dimensions or content that arrives late,
  // happens on every load and fails both attempts.
  it('loads cleanly at both sizes and schemes, without layout shift, and is screenshotted', { retry: 1 }, async () => {
    const w = await watchedPage(browser, site.origin);
    try {
      for (const viewport of VIEWPORTS) {
        for (const colorScheme of SCHEMES) {
          await w.page.setViewportSize(viewport);
          await w.page.emulateMedia({ colorScheme, media: 'screen' });
          expect(await load(w, site.origin, pagePath, status)).toBe(status);
          const shift = await layoutShift(w.page);
          if (shift.score !== 0) console.log(`layout shift on ${pagePath}: ${shift.shifts.join(' | ')}`);
          expect(shift).toEqual({ score: 0, shifts: [] });
          await w.page.screenshot({ path: screenshotPath(`${name}-${viewport.width}x${viewport.height}-${colorScheme}`), fullPage: true });
        }
      }
      expect({ console: w.consoleErrors, requests: w.failedRequests, csp: w.cspViolations }).toEqual({ console: [], requests: [], csp: [] });
    } finally {
      await w.context.close();
    }
  });

  it('does not scroll horizontally at 320px', async () => {
    const w = await watchedPage(browser, site.origin, { viewport: { width: 320, height: 640 } });
    try {
      await load(w, site.origin, pagePath, status);
      const widths = await w.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      expect(widths).toEqual({ doc: 320, body: 320 });
    } finally {
      await w.context.close();
    }
  });
});

describe('Nu HTML Checker', () => {
  it('finds no errors or warnings in any page type or the stylesheet', async () => {
    const docs = new Map<string, string>();
    for (const p of PAGE_TYPES) {
      const res = await fetch(`${site.origin}${p.path}`);
      expect(res.status).toBe(p.status);
      docs.set(`${p.name}.html`, await res.text());
    }
    docs.set('style.css', await readFile(path.join(ROOT, 'public/style.css'), 'utf8'));
    const results = await vnuCheck(docs);
    const problems = [...results.values()].flat().filter(isProblem).map(formatMessage);
    expect(problems).toEqual([]);
  });

  it('reports an invalid document (the check can fail)', async () => {
    const results = await vnuCheck(new Map([['bad.html', '<!doctype html><html lang="en"><title>x</title><p><div></div></p>']]));
    expect(results.get('bad.html')!.filter(isProblem).map((m) => m.message)).toEqual(['No “p” element in scope but a “p” end tag seen.']);
  });
});

describe('CSP violation listener', () => {
  it('records a violation when a page tries something the policy forbids (the check can fail)', async () => {
    const w = await watchedPage(browser, site.origin);
    try {
      await load(w, site.origin, '/');
      // Evaluated through DevTools, so the attempt itself is allowed; the inline style it adds is not.
      await w.page.evaluate(() => {
        const s = document.createElement('style');
        s.textContent = 'body { color: red; }';
        document.head.append(s);
      });
      await expect.poll(() => w.cspViolations.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(w.cspViolations[0]).toMatch(/^style-src/);
    } finally {
      await w.context.close();
    }
  });
});
