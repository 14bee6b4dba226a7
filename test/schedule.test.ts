// Scheduled publishing: an article dated in the future goes live by itself at its time, with no restart
// and no file change, even when that time is further away than one setTimeout can wait (~24.8 days).

import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../src/config.js';
import { start, type Running } from '../src/server.js';
import { closeSites, makeSite, md, removeDir, tempDir } from './helpers/site.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

afterEach(() => {
  vi.useRealTimers();
  closeSites();
});

describe('scheduled articles (fake clock)', () => {
  it('publishes an article dated 30 days ahead on time, not before, with a stepped timer', async () => {
    const site = await makeSite({
      'earlier.md': md('title: Earlier story\ndate: 2029-12-01\nauthor: Jane Doe'),
      'later.md': md(`title: Later story\ndate: ${iso(NOW + 30 * DAY)}\nauthor: Jane Doe`),
    });
    // The loaded store armed its timer with the real clock: start the fake one and re-arm at NOW.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
    const armed = vi.spyOn(globalThis, 'setTimeout');
    site.store.setContent(site.store.content);
    // Node fires a setTimeout longer than 2^31-1 ms after 1 ms: every wait must be below that.
    const delays = armed.mock.calls.map((c) => Number(c[1] ?? 0));
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    armed.mockRestore();
    const pages = site.app.pages;
    const home = (): string => pages.home(1)?.identity.body.toString('utf8') ?? '';

    expect(site.store.view.bySlug.has('later')).toBe(false);
    expect(home()).toContain('Earlier story');
    expect(home()).not.toContain('Later story');
    // One pending timer, waiting at most 6 hours: never one setTimeout for the whole 30 days.
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(30 * DAY - 1000);
    expect(Date.now()).toBe(NOW + 30 * DAY - 1000);
    expect(site.store.view.bySlug.has('later')).toBe(false);
    expect(pages.article('later')).toBeUndefined();
    expect(home()).not.toContain('Later story');
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(1000 + 10);
    expect(site.store.view.bySlug.has('later')).toBe(true);
    expect(pages.article('later')?.status).toBe(200);
    // The cached home page was invalidated when the article went live.
    expect(home()).toContain('Later story');
    expect(home().indexOf('Later story')).toBeLessThan(home().indexOf('Earlier story'));
  });

  it('publishes a date-only article at midnight in SITE_TIMEZONE', async () => {
    const site = await makeSite(
      { 'midnight.md': md('title: Midnight story\ndate: 2030-01-02\nauthor: Jane Doe') },
      { env: { SITE_TIMEZONE: 'Europe/Paris' } },
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
    site.store.setContent(site.store.content);
    const midnightParis = Date.UTC(2030, 0, 1, 23, 0, 0); // 2030-01-02T00:00+01:00
    vi.advanceTimersByTime(midnightParis - NOW - 1);
    expect(site.store.view.bySlug.has('midnight')).toBe(false);
    vi.advanceTimersByTime(10);
    expect(site.store.view.bySlug.has('midnight')).toBe(true);
  });

  it('never publishes a draft, whatever its date', async () => {
    const site = await makeSite({ 'draft.md': md(`title: Draft story\ndate: ${iso(NOW + DAY)}\nauthor: Jane Doe\ndraft: true`) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
    site.store.setContent(site.store.content);
    vi.advanceTimersByTime(2 * DAY);
    expect(site.store.view.bySlug.has('draft')).toBe(false);
    await request(site.app).get('/articles/draft/').expect(404);
  });
});

describe('scheduled articles (real clock, listening server)', () => {
  let running: Running | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await running?.close();
    if (dir) removeDir(dir);
    running = undefined;
    dir = undefined;
  });

  it('an article a few seconds ahead appears on its own, with no file change', async () => {
    dir = tempDir('newsroom-schedule-');
    const contentDir = path.join(dir, 'content');
    mkdirSync(contentDir);
    // Whole seconds: front matter times have second precision.
    const at = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    writeFileSync(path.join(contentDir, 'now.md'), md('title: Already out\ndate: 2024-01-01\nauthor: Jane Doe'));
    writeFileSync(path.join(contentDir, 'soon.md'), md(`title: Coming soon\ndate: ${iso(at)}\nauthor: Jane Doe`));
    running = await start(testConfig({ CONTENT_DIR: contentDir, PORT: '0', HOST: '127.0.0.1' }));
    const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
    const get = async (p: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${base}${p}`);
      return { status: res.status, body: await res.text() };
    };

    expect((await get('/articles/soon/')).status).toBe(404);
    expect((await get('/')).body).not.toContain('Coming soon');
    const rebuilds = running.watcher.rebuilds;

    const deadline = at + 5000;
    let seenAt: number | undefined;
    while (Date.now() < deadline) {
      const r = await get('/articles/soon/');
      if (r.status === 200) {
        seenAt = Date.now();
        expect(r.body).toContain('Coming soon');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(seenAt).toBeDefined();
    expect(seenAt!).toBeGreaterThanOrEqual(at);
    expect(seenAt! - at).toBeLessThan(1000);
    expect((await get('/')).body).toContain('Coming soon');
    expect(running.watcher.rebuilds).toBe(rebuilds); // the timer did it, not a reload
  });
});
