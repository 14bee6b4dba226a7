// Live reload against the real file system, with the server listening on a loopback port: every change
// an editor or `git pull` makes under CONTENT_DIR shows up without a restart, and nothing else does.

import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import type { LoadHint } from '../src/content/ContentLoader.js';
import type { OpenSite } from '../src/openSite.js';
import { start, type Running } from '../src/server.js';
import { watchContent, type ContentWatcher } from '../src/watchContent.js';
import { closeSites, makeSite, md, removeDir, tempDir } from './helpers/site.js';

const article = (title: string, body = `${title} body.`, extra = ''): string => md(`title: "${title}"\ndate: 2024-03-01\nauthor: Jane Doe${extra ? `\n${extra}` : ''}`, body);

let root: string;
let contentDir: string;
let running: Running;
let base: string;
const logLines: string[] = [];

async function get(p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${p}`, { redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

/** Polls until check() is truthy; fails with `what` after the deadline. Returns the elapsed ms. */
async function until(what: string, check: () => Promise<boolean>, deadlineMs = 5000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > deadlineMs) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const served = (p: string, text: string) => async () => {
  const r = await get(p);
  return r.status === 200 && r.body.includes(text);
};
const gone = (p: string) => async () => (await get(p)).status === 404;

/** Lets pending fs events reach the watcher, then waits for any reload they caused. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  await running.watcher.idle();
}

/** Writes files from a separate Node process (like git), resolving when it exits. */
function writeInChild(dir: string, files: [string, string][]): Promise<void> {
  const script = `const fs = require('node:fs'); const path = require('node:path'); const [dir, json] = process.argv.slice(1);
fs.mkdirSync(dir, { recursive: true });
for (const [name, text] of JSON.parse(json)) fs.writeFileSync(path.join(dir, name), text);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, dir, JSON.stringify(files)], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`))));
  });
}

const write = (rel: string, text: string): void => {
  mkdirSync(path.dirname(path.join(contentDir, rel)), { recursive: true });
  writeFileSync(path.join(contentDir, rel), text);
};

beforeAll(async () => {
  root = tempDir('newsroom-watch-');
  contentDir = path.join(root, 'content');
  mkdirSync(contentDir);
  write('first.md', article('First story', 'The original first text.'));
  write('pages/about.md', md('title: About'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = testConfig({ CONTENT_DIR: contentDir, PORT: '0', HOST: '127.0.0.1' });
  running = await start(config, createLogger({ logLevel: 'warn' }, sink));
  base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await running?.close();
  removeDir(root);
});

describe('live reload', () => {
  it('serves the content that was there at start', async () => {
    expect((await get('/articles/first/')).body).toContain('The original first text.');
  });

  it('publishes an added article within 1 s, on its page and on the home page', async () => {
    write('added.md', article('An added story'));
    const ms = await until('the added article', served('/articles/added/', 'An added story'), 1000);
    expect(ms).toBeLessThan(1000);
    expect((await get('/')).body).toContain('An added story');
  });

  it('serves an edited article with its new text within 1 s', async () => {
    write('first.md', article('First story, updated', 'The edited first text.'));
    await until('the edit', served('/articles/first/', 'The edited first text.'), 1000);
    expect((await get('/')).body).toContain('First story, updated');
  });

  it('follows a rename: the old address 404s, the new one serves', async () => {
    write('before.md', article('Renamed story'));
    await until('before', served('/articles/before/', 'Renamed story'));
    renameSync(path.join(contentDir, 'before.md'), path.join(contentDir, 'after.md'));
    await until('the new name', served('/articles/after/', 'Renamed story'));
    expect((await get('/articles/before/')).status).toBe(404);
  });

  it('unpublishes a deleted article everywhere', async () => {
    write('doomed.md', article('A doomed story'));
    await until('doomed', served('/', 'A doomed story'));
    unlinkSync(path.join(contentDir, 'doomed.md'));
    await until('the deletion', gone('/articles/doomed/'));
    expect((await get('/')).body).not.toContain('A doomed story');
  });

  it('watches nested folders, including ones created after start', async () => {
    write('2024/03/deep/nested.md', article('A nested story'));
    await until('the nested article', served('/articles/nested/', 'A nested story'));
    write('2024/03/deep/nested.md', article('A nested story', 'Edited inside a new folder.'));
    await until('the nested edit', served('/articles/nested/', 'Edited inside a new folder.'));
    rmSync(path.join(contentDir, '2024'), { recursive: true });
    await until('the removed folder', gone('/articles/nested/'));
  });

  it('keeps the last good version of a file broken by an edit, logs the error once, and takes the fix', async () => {
    write('fragile.md', article('Fragile story', 'Good text.'));
    await until('fragile', served('/articles/fragile/', 'Good text.'));
    const before = logLines.length;
    write('fragile.md', '---\ntitle: "Fragile story"\ndate: 2024-13-45\nauthor: Jane Doe\n---\n\nBroken text.\n');
    await settle();
    expect((await get('/articles/fragile/')).body).toContain('Good text.');
    // Another file's change reloads again: the same problem is not logged a second time.
    write('bystander.md', article('Bystander'));
    await until('bystander', served('/articles/bystander/', 'Bystander'));
    const errors = logLines.slice(before).filter((l) => l.includes('fragile.md:3:7: date:'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 'error', file: 'fragile.md', line: 3, column: 7, field: 'date' });
    write('fragile.md', article('Fragile story', 'Fixed text.'));
    await until('the fix', served('/articles/fragile/', 'Fixed text.'));
  });

  it('does not publish a new file that is invalid', async () => {
    write('born-broken.md', '---\ntitle: Born broken\nauthor: Jane Doe\n---\n\nNo date.\n');
    write('marker-one.md', article('Marker one'));
    await until('marker one', served('/articles/marker-one/', 'Marker one'));
    expect((await get('/articles/born-broken/')).status).toBe(404);
    expect(logLines.filter((l) => l.includes('born-broken.md:2:1: date: is required'))).toHaveLength(1);
  });

  it('picks up an atomic-rename save (temporary file renamed over the original), and later edits too', async () => {
    write('atomic.md', article('Atomic story', 'Atomic version one.'));
    await until('atomic v1', served('/articles/atomic/', 'Atomic version one.'));
    writeFileSync(path.join(contentDir, '.atomic.md.tmp'), article('Atomic story', 'Atomic version two.'));
    renameSync(path.join(contentDir, '.atomic.md.tmp'), path.join(contentDir, 'atomic.md'));
    await until('atomic v2', served('/articles/atomic/', 'Atomic version two.'));
    // A watcher that followed the old inode would miss this in-place write.
    write('atomic.md', article('Atomic story', 'Atomic version three.'));
    await until('atomic v3', served('/articles/atomic/', 'Atomic version three.'));
  });

  it("does not reload for editors' temporary files or hidden files", async () => {
    await settle();
    const before = running.watcher.rebuilds;
    for (const name of ['.first.md.swp', 'first.md.swp', 'first.md~', '.#first.md', '4913', '#first.md#', '.hidden.md', '_notes.md', 'notes.txt', 'README.md']) {
      writeFileSync(path.join(contentDir, name), 'scratch');
    }
    unlinkSync(path.join(contentDir, '4913'));
    await settle();
    expect(running.watcher.rebuilds).toBe(before);
    // The watcher is alive: a real change after them is exactly one reload.
    write('after-temp.md', article('After temp files'));
    await until('after-temp', served('/articles/after-temp/', 'After temp files'));
    await settle();
    expect(running.watcher.rebuilds).toBe(before + 1);
    expect((await get('/articles/hidden/')).status).toBe(404);
    expect((await get('/articles/notes/')).status).toBe(404);
  });

  it('rebuilds at most 3 times for a burst of 500 files, and publishes all of them', async () => {
    mkdirSync(path.join(contentDir, 'burst'));
    await settle();
    const before = running.watcher.rebuilds;
    const articlesBefore = running.site.store.view.articles.length;
    // Written by another process, as `git checkout` would, so events arrive while the server keeps running.
    await writeInChild(
      path.join(contentDir, 'burst'),
      Array.from({ length: 500 }, (_, i) => [`b-${i}.md`, article(`Burst story ${i}`)]),
    );
    await until('all 500 burst articles', async () => running.site.store.view.articles.length === articlesBefore + 500, 10_000);
    await settle();
    expect(running.watcher.rebuilds - before).toBeGreaterThanOrEqual(1);
    expect(running.watcher.rebuilds - before).toBeLessThanOrEqual(3);
    expect((await get('/articles/b-499/')).body).toContain('Burst story 499');
    const removed = running.watcher.rebuilds;
    rmSync(path.join(contentDir, 'burst'), { recursive: true });
    await until('the burst removed', async () => running.site.store.view.articles.length === articlesBefore);
    await settle();
    expect(running.watcher.rebuilds - removed).toBeLessThanOrEqual(3);
  });

  it('refuses a symbolic link that leads outside CONTENT_DIR, with a warning', async () => {
    const outside = path.join(root, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.md'), article('Secret outside story'));
    mkdirSync(path.join(outside, 'folder'), { recursive: true });
    writeFileSync(path.join(outside, 'folder', 'inner.md'), article('Inner outside story'));
    symlinkSync(path.join(outside, 'secret.md'), path.join(contentDir, 'leak.md'));
    symlinkSync(path.join(outside, 'folder'), path.join(contentDir, 'linked'));
    write('marker-two.md', article('Marker two'));
    await until('marker two', served('/articles/marker-two/', 'Marker two'));
    await settle();
    for (const p of ['/articles/leak/', '/articles/secret/', '/articles/inner/']) expect((await get(p)).status).toBe(404);
    expect((await get('/')).body).not.toContain('outside story');
    const warnings = logLines.filter((l) => l.includes('is a symbolic link to a place outside CONTENT_DIR; not read'));
    expect(warnings.some((l) => l.includes('leak.md:1:1: file:'))).toBe(true);
    expect(warnings.some((l) => l.includes('linked:1:1: file:'))).toBe(true);
    expect(warnings.every((l) => JSON.parse(l).level === 'warn')).toBe(true);
    unlinkSync(path.join(contentDir, 'leak.md'));
    unlinkSync(path.join(contentDir, 'linked'));
  });

  it('survives the whole folder being deleted and re-created', async () => {
    rmSync(contentDir, { recursive: true });
    await until('the removal noticed', async () => logLines.some((l) => l.includes('CONTENT_DIR was removed')));
    await settle();
    // While the folder is gone, the site keeps serving what it had rather than going blank.
    expect((await get('/articles/first/')).status).toBe(200);
    mkdirSync(contentDir);
    write('reborn.md', article('Reborn story'));
    await until('the re-created folder', served('/articles/reborn/', 'Reborn story'));
    expect((await get('/articles/first/')).status).toBe(404);
    // The new folder is watched as closely as the old one.
    write('reborn.md', article('Reborn story', 'Reborn and edited.'));
    await until('an edit in the new folder', served('/articles/reborn/', 'Reborn and edited.'));
  });

  it('survives the folder being swapped for another one by renames', async () => {
    const next = path.join(root, 'content-next');
    mkdirSync(next);
    writeFileSync(path.join(next, 'swapped.md'), article('Swapped-in story'));
    renameSync(contentDir, path.join(root, 'content-old'));
    renameSync(next, contentDir);
    await until('the swapped folder', served('/articles/swapped/', 'Swapped-in story'));
    expect((await get('/articles/reborn/')).status).toBe(404);
    write('swapped.md', article('Swapped-in story', 'Edited after the swap.'));
    await until('an edit after the swap', served('/articles/swapped/', 'Edited after the swap.'));
  });
});

describe('reload scheduling', () => {
  let dir: string;
  let watcher: ContentWatcher;
  const calls: (LoadHint | undefined)[] = [];
  let active = 0;
  let maxActive = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const hold = (): void => {
    gate = new Promise((resolve) => (open = resolve));
  };
  const site = {
    async reload(hint?: LoadHint) {
      calls.push(hint);
      active++;
      maxActive = Math.max(maxActive, active);
      await gate;
      active--;
      return { articles: [], pages: [], diagnostics: [], files: 0 };
    },
  } as unknown as OpenSite;
  const put = (rel: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), 'x');
  };
  const calledTimes = (n: number) => async () => calls.length === n;

  beforeAll(() => {
    dir = tempDir('newsroom-watch-unit-');
    watcher = watchContent(testConfig({ CONTENT_DIR: dir }), site, createLogger({ logLevel: 'silent' }));
  });
  afterAll(async () => {
    open();
    await watcher.close();
    removeDir(dir);
  });

  it('re-reads only the files an edit named', async () => {
    put('one.md');
    await until('a reload', calledTimes(1));
    await watcher.idle();
    expect([...(calls[0]?.changed ?? [])]).toEqual(['one.md']);
  });

  it('runs one reload at a time; changes during a reload cause exactly one more, with all of them', async () => {
    hold();
    put('two.md');
    await until('the held reload', calledTimes(2));
    put('three.md');
    put('four.md');
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toHaveLength(2); // still held: nothing overlaps
    open();
    await until('the follow-up reload', calledTimes(3));
    await watcher.idle();
    expect(calls).toHaveLength(3);
    expect(maxActive).toBe(1);
    expect([...(calls[2]?.changed ?? [])].sort()).toEqual(['four.md', 'three.md']);
  });

  it('lists everything again when folders come or go', async () => {
    put('section/five.md');
    await until('a reload', calledTimes(4));
    await watcher.idle();
    expect(calls[3]).toBeUndefined();
  });
});

describe('incremental reload', () => {
  afterAll(closeSites);

  it('re-reads only the files the watcher names, and re-renders only the pages that show them', async () => {
    const site = await makeSite({
      'edited.md': article('Edited story', 'Version one.'),
      'other.md': article('Other story', 'Other text.', 'tags: [Energy]'),
      'sibling.md': article('Sibling story', 'Sibling text.', 'tags: [Energy]'),
    });
    const otherArticle = site.state.articles.find((a) => a.slug === 'other');
    const otherPage = site.app.pages.article('other');
    const home = site.app.pages.home(1);
    expect(otherPage?.status).toBe(200);

    writeFileSync(path.join(site.contentDir, 'edited.md'), article('Edited story', 'Version two.'));
    // A file changed behind the watcher's back is not re-read by a hinted load...
    writeFileSync(path.join(site.contentDir, 'sibling.md'), article('Sibling story', 'Unseen edit.', 'tags: [Energy]'));
    const state = await site.loader.load({ changed: new Set(['edited.md']) });
    site.store.setContent(state);
    expect(state.articles.find((a) => a.slug === 'edited')?.body).toContain('Version two.');
    expect(state.articles.find((a) => a.slug === 'sibling')?.body).toContain('Sibling text.');
    // ...and the untouched article keeps its object and its prepared page: nothing re-parsed or re-rendered.
    expect(state.articles.find((a) => a.slug === 'other')).toBe(otherArticle);
    expect(site.app.pages.article('other')).toBe(otherPage);
    expect(site.app.pages.home(1)).not.toBe(home);
    expect(site.app.pages.article('edited')?.identity.body.toString()).toContain('Version two.');

    // A full load (what the watcher does after folder changes) re-checks every file.
    site.store.setContent(await site.loader.load());
    expect(site.store.view.bySlug.get('sibling')?.body).toContain('Unseen edit.');
  });
});
