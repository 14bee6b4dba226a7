/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// Keyboard use on every page type: "Skip to content" is the first Tab stop, visible when focused, and
// Enter moves focus into <main>; every link shows a visible focus indicator when tabbed to.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { load, PAGE_TYPES, watchedPage, useSiteAndBrowser } from './harness.js';

const ctx = useSiteAndBrowser();

interface Focused {
  readonly tag: string;
  readonly href: string | null;
  readonly text: string;
  readonly outlineStyle: string;
  readonly outlineWidth: number;
  /** Contrast of the outline against the page background (WCAG 1.4.11 asks for 3:1). */
  readonly outlineContrast: number;
  readonly inViewport: boolean;
}

/** Describes document.activeElement and its focus indicator. */
async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const cs = getComputedStyle(el);
    const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
    const lum = (c: string): number => {
      const [r, g, b] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const a = lum(cs.outlineColor);
    const b = lum(getComputedStyle(document.body).backgroundColor);
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      href: el.getAttribute('href'),
      text: (el.textContent ?? '').trim().slice(0, 60),
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth),
      outlineContrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
      inViewport: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth,
    };
  });
}

describe.each(PAGE_TYPES)('$name ($path)', ({ path: pagePath, status }) => {
  for (const viewport of [
    { width: 375, height: 812 },
    { width: 1280, height: 800 },
  ]) {
    it(`skip link comes first, is visible when focused, and Enter moves focus into main (${viewport.width}px)`, async () => {
      const w = await watchedPage(ctx.browser, ctx.site.origin, { viewport });
      try {
        await load(w, ctx.site.origin, pagePath, status);
        await w.page.keyboard.press('Tab');
        const skip = await focused(w.page);
        expect(skip).toMatchObject({ tag: 'a', href: '#main', text: 'Skip to content', inViewport: true });
        // Not covered or clipped: the link itself is what a pointer at its centre would hit.
        const onTop = await w.page.evaluate(() => {
          const el = document.activeElement!;
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return hit === el || el.contains(hit);
        });
        expect(onTop).toBe(true);
        await w.page.keyboard.press('Enter');
        await expect.poll(() => w.page.evaluate(() => !!document.activeElement?.closest('#main'))).toBe(true);
        // The next Tab continues from the main content (its first link, or the footer's when it has
        // none), not back in the masthead.
        await w.page.keyboard.press('Tab');
        const next = await w.page.evaluate(() => {
          const main = document.getElementById('main')!;
          const after = [...document.querySelectorAll('a[href]')].find((a) => main.contains(a) || !!(main.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING));
          return { expected: after?.outerHTML, actual: document.activeElement?.outerHTML };
        });
        expect(next.actual).toBe(next.expected);
      } finally {
        await w.context.close();
      }
    });
  }

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`every link shows a visible focus indicator when tabbed to (${colorScheme})`, async () => {
      const w = await watchedPage(ctx.browser, ctx.site.origin, { colorScheme });
      try {
        await load(w, ctx.site.origin, pagePath, status);
        const links = await w.page.evaluate(() => [...document.querySelectorAll('a[href]')].length);
        const reached: Focused[] = [];
        for (let i = 0; i < links + 5; i++) {
          await w.page.keyboard.press('Tab');
          const f = await focused(w.page);
          if (!f) break;
          if (reached.length > 0 && f.href === reached[0]!.href && f.text === reached[0]!.text) break; // wrapped around
          reached.push(f);
        }
        const anchors = reached.filter((f) => f.tag === 'a');
        expect(anchors).toHaveLength(links);
        const weak = anchors.filter((f) => f.outlineStyle === 'none' || f.outlineWidth < 2 || f.outlineContrast < 3);
        expect(weak).toEqual([]);
      } finally {
        await w.context.close();
      }
    });
  }
});
