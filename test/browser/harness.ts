/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (Functions passed to page.evaluate run in the browser: they need the DOM types.)
// Shared set-up for the browser suite: the site on a loopback port with the bundled content plus the
// browser fixtures (copied into temporary CONTENT_DIR and PUBLIC_DIR), and Debian's Chromium driven by
// playwright-core. Every page is watched for console errors, failed requests and CSP violations.

import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { start, type Running } from '../../src/server.js';
import { landscapePng } from './png.js';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/browser');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');

/** Flags for a quiet, reproducible headless Chromium that talks to nothing but the test server. */
export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SEED_SLUG = 'us-quietly-trying-to-keep-troops-in-african-country-that-wants-to-kick-them-out';

/** One URL per page type, named for screenshots and test titles. */
export const PAGE_TYPES: readonly { readonly name: string; readonly path: string; readonly status: number }[] = [
  { name: 'home', path: '/', status: 200 },
  { name: 'article-seed', path: `/articles/${SEED_SLUG}/`, status: 200 },
  { name: 'article-image', path: '/articles/browser-feature-image/', status: 200 },
  { name: 'article-rich', path: '/articles/browser-rich-formatting/', status: 200 },
  { name: 'article-long-headline', path: '/articles/browser-long-headline/', status: 200 },
  { name: 'tag', path: '/tags/africa/', status: 200 },
  { name: 'author', path: '/authors/micaela-burrow/', status: 200 },
  { name: 'page-about', path: '/about/', status: 200 },
  { name: 'not-found', path: '/articles/no-such-article/', status: 404 },
];

export function chromePath(): string {
  const p = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(p)) {
    throw new Error(`Chromium was not found at ${p}. Install it with \`apt-get install -y chromium\` (Debian), or set CHROME_PATH to a Chromium or Chrome binary.`);
  }
  return p;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath(), headless: true, args: CHROME_ARGS });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Site {
  readonly origin: string;
  readonly running: Running;
  close(): Promise<void>;
}

/**
 * Serves content/ plus test/fixtures/browser/content from a temporary folder. The port is chosen before
 * start-up so SITE_URL is the real loopback origin: canonical URLs then point at the page itself, as
 * Lighthouse's SEO audit requires.
 */
export async function startSite(): Promise<Site> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'newsroom-browser-'));
  const contentDir = path.join(tmp, 'content');
  const publicDir = path.join(tmp, 'public');
  await cp(path.join(ROOT, 'content'), contentDir, { recursive: true });
  await cp(path.join(FIXTURES, 'content'), contentDir, { recursive: true });
  await cp(path.join(ROOT, 'public'), publicDir, { recursive: true });
  await mkdir(path.join(publicDir, 'images'), { recursive: true });
  await writeFile(path.join(publicDir, 'images/browser-desert-dusk.png'), landscapePng(1200, 675));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SITE_URL: origin,
    CONTENT_DIR: contentDir,
    PUBLIC_DIR: publicDir,
  });
  const running = await start(config);
  return {
    origin,
    running,
    async close() {
      await running.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export interface Watched {
  readonly page: Page;
  /** A document status that is the point of the page (404 for the not-found page), not a failure. */
  expectedDocumentStatus: number;
  readonly context: BrowserContext;
  readonly consoleErrors: string[];
  readonly failedRequests: string[];
  readonly cspViolations: string[];
  readonly dialogs: string[];
}

/**
 * A fresh context and page that records console errors, page errors, failed requests, responses >= 400,
 * CSP violations and dialogs. The violation listener is installed through the DevTools protocol, which
 * CSP does not govern, so the site's policy stays exactly as served. Requests that leave 127.0.0.1 are
 * aborted and recorded: the suite never touches the network.
 */
export async function watchedPage(browser: Browser, origin: string, options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Watched> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const cspViolations: string[] = [];
  const dialogs: string[] = [];
  await context.route(
    (url) => url.origin !== origin,
    async (route) => {
      failedRequests.push(`off-site request blocked: ${route.request().url()}`);
      await route.abort('blockedbyclient');
    },
  );
  await page.exposeBinding('__reportCspViolation', (_source, text: string) => {
    cspViolations.push(text);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __reportCspViolation(t: string): void; __layoutShift: number; __layoutShifts: string[] };
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
    w.__layoutShift = 0;
    w.__layoutShifts = [];
    const box = (r: DOMRectReadOnly): string => `${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] })[]) {
        if (e.hadRecentInput) continue;
        w.__layoutShift += e.value;
        // What moved, for the failure message: a shift of 0 is the goal, and a rare one must be explainable.
        const moved = e.sources.map((s) => `${s.node instanceof Element ? `${s.node.localName}${s.node.className ? `.${String(s.node.className).split(' ').join('.')}` : ''}` : (s.node?.nodeName ?? '?')} ${box(s.previousRect)} -> ${box(s.currentRect)}`);
        w.__layoutShifts.push(`${e.value.toFixed(4)} at ${Math.round(e.startTime)} ms (viewport ${innerWidth}x${innerHeight}): ${moved.join('; ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const watched: Watched = { page, context, consoleErrors, failedRequests, cspViolations, dialogs, expectedDocumentStatus: 200 };
  const isExpectedDocument = (url: string, status: number): boolean => status === watched.expectedDocumentStatus && url === page.url();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs a non-2xx document as a failed resource; for the 404 page that status is intended.
    const status = /status of (\d+)/.exec(m.text())?.[1];
    if (status !== undefined && isExpectedDocument(m.location().url, Number(status))) return;
    consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (r.request().isNavigationRequest() && r.status() === watched.expectedDocumentStatus) return;
    failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  return watched;
}

/** Loads a path and waits until the page, its images and fonts are complete; returns the status. */
export async function load(w: Watched, origin: string, p: string, expectedStatus = 200): Promise<number> {
  w.expectedDocumentStatus = expectedStatus;
  const res = await w.page.goto(`${origin}${p}`, { waitUntil: 'load' });
  await w.page.evaluate(() => document.fonts.ready.then(() => undefined));
  return res?.status() ?? 0;
}

/**
 * Sum of layout-shift scores since the document started loading (CLS without session windows), and each
 * shift's score, time, viewport and the elements that moved (from where to where).
 */
export async function layoutShift(page: Page): Promise<{ score: number; shifts: string[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { __layoutShift: number; __layoutShifts: string[] };
    return { score: w.__layoutShift, shifts: w.__layoutShifts };
  });
}

export const screenshotPath = (name: string): string => path.join(SCREENSHOT_DIR, `${name}.png`);

/** Starts the site and a browser once for a test file, and stops both after it. */
export function useSiteAndBrowser(): { readonly site: Site; readonly browser: Browser } {
  const ctx = {} as { site: Site; browser: Browser };
  beforeAll(async () => {
    ctx.browser = await launchBrowser();
    ctx.site = await startSite();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.site?.close();
  });
  return ctx;
}
