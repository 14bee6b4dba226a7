// `npm run new`: a draft with its front matter filled in, at <CONTENT_DIR>/<slug>.md, never overwriting.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main as newMain, createArticle, draftText, NewArticleError, slugForHeadline } from '../src/cli/new.js';
import { testConfig } from '../src/config.js';
import { formatDiagnostic } from '../src/content/diagnostic.js';
import { parseEntry } from '../src/content/parseEntry.js';
import { runCheck } from '../src/cli/check.js';
import { REPO, removeDir, tempDir } from './helpers/site.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function contentDir(): string {
  const root = tempDir('newsroom-new-');
  dirs.push(root);
  const dir = path.join(root, 'content');
  mkdirSync(dir);
  return dir;
}

const AT = Date.UTC(2024, 2, 21, 23, 30); // 2024-03-21 23:30 UTC, already the 22nd in Tokyo
const ID = 'urn:uuid:00000000-0000-4000-8000-000000000000';

const EXPECTED = `---
title: "Headline of the story"
date: 2024-03-21
# Who wrote it: a name, or a list such as [Jane Doe, John Roe]. \`npm run check\` refuses an empty
# author, so this draft cannot be published until it has one.
author: ""
# publisher: The organisation in the byline, e.g. for a wire story
# summary: One or two sentences for listings, feeds and search results (at most 300 characters).
tags: []
# Delete this line (or set it to false) to publish.
draft: true
# Permanent id for feed readers: keep it, even if you change the title or rename the file.
id: "${ID}"
---

Write the story here. Leave a blank line between paragraphs.
`;

const parse = (rel: string, text: string) => parseEntry(rel, Buffer.from(text), { timezone: 'UTC', maxBytes: 1 << 20, imageInfo: () => undefined });

describe('createArticle', () => {
  it('writes <slug>.md with the front matter filled in', async () => {
    const dir = contentDir();
    const made = await createArticle(testConfig({ CONTENT_DIR: dir }), 'Headline of the story', { now: AT, id: ID });
    expect(made.slug).toBe('headline-of-the-story');
    expect(made.file).toBe(path.join(dir, 'headline-of-the-story.md'));
    expect(readFileSync(made.file, 'utf8')).toBe(EXPECTED);
  });

  it("uses today's date in SITE_TIMEZONE", async () => {
    const dir = contentDir();
    const made = await createArticle(testConfig({ CONTENT_DIR: dir, SITE_TIMEZONE: 'Asia/Tokyo' }), 'Late night', { now: AT, id: ID });
    expect(made.text).toContain('\ndate: 2024-03-22\n');
  });

  it('generates a new urn:uuid id each time', async () => {
    const dir = contentDir();
    const config = testConfig({ CONTENT_DIR: dir });
    const a = await createArticle(config, 'First one');
    const b = await createArticle(config, 'Second one');
    const idOf = (t: string): string => /\nid: "(urn:uuid:[0-9a-f-]{36})"\n/.exec(t)?.[1] ?? '';
    expect(idOf(a.text)).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idOf(b.text)).not.toBe(idOf(a.text));
  });

  it('cannot be published until an author is filled in, and is valid once it is', async () => {
    const result = parse('headline-of-the-story.md', EXPECTED);
    expect(result.entry).toBeUndefined();
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['headline-of-the-story.md:6:9: author: must not be empty']);

    const filled = EXPECTED.replace('author: ""', 'author: Jane Doe');
    const ok = parse('headline-of-the-story.md', filled);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.entry).toMatchObject({ kind: 'article', slug: 'headline-of-the-story', title: 'Headline of the story', draft: true, id: ID, tags: [], authors: ['Jane Doe'] });
    const published = parse('headline-of-the-story.md', filled.replace('draft: true\n', ''));
    expect(published.entry).toMatchObject({ draft: false });
  });

  it('is reported by npm run check as the one error to fix', async () => {
    const dir = contentDir();
    const config = testConfig({ CONTENT_DIR: dir });
    await createArticle(config, 'Headline of the story', { now: AT, id: ID });
    const result = await runCheck(config);
    expect(result.exitCode).toBe(1);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['headline-of-the-story.md:6:9: author: must not be empty']);
  });

  it('keeps a headline with quotes, colons and accents as one exact title', async () => {
    const dir = contentDir();
    const headline = 'Côte d\'Ivoire: "No deal" # says U.S. envoy \\ & allies';
    const made = await createArticle(testConfig({ CONTENT_DIR: dir }), headline, { now: AT, id: ID });
    expect(made.slug).toBe('cote-d-ivoire-no-deal-says-u-s-envoy-allies');
    const entry = parse(`${made.slug}.md`, made.text.replace('author: ""', 'author: Jane Doe')).entry;
    expect(entry?.title).toBe(headline);
  });

  it('refuses to overwrite an existing file', async () => {
    const dir = contentDir();
    const config = testConfig({ CONTENT_DIR: dir });
    writeFileSync(path.join(dir, 'taken.md'), 'the editor wrote this');
    const error = await createArticle(config, 'Taken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewArticleError);
    expect((error as NewArticleError).exitCode).toBe(1);
    expect((error as NewArticleError).message).toBe(`${path.join(dir, 'taken.md')} already exists; edit it, or choose another headline`);
    expect(readFileSync(path.join(dir, 'taken.md'), 'utf8')).toBe('the editor wrote this');
  });

  it('refuses headlines it cannot make a title and address from', async () => {
    const config = testConfig({ CONTENT_DIR: contentDir() });
    for (const [headline, message] of [
      ['   ', 'the headline is empty'],
      ['!!! ???', 'the headline "!!! ???" has no letters or digits to make an address from'],
      ['x'.repeat(201), 'the headline is 201 characters long; the limit is 200'],
      ['Bad\u0007bell', 'the headline contains control characters'],
    ] as const) {
      const error = (await createArticle(config, headline).catch((e: unknown) => e)) as NewArticleError;
      expect(error.exitCode).toBe(2);
      expect(error.message.split('\n')[0]).toBe(message);
    }
  });
});

describe('slugForHeadline', () => {
  it('follows the site slug rules and cuts long headlines between words', () => {
    expect(slugForHeadline('U.S. quietly trying to keep troops')).toBe('u-s-quietly-trying-to-keep-troops');
    const long = slugForHeadline('Parliament debates the extraordinarily comprehensive infrastructure modernisation programme for coastal regions tonight');
    expect(long).toBe('parliament-debates-the-extraordinarily-comprehensive-infrastructure');
    expect(long.length).toBeLessThanOrEqual(80);
    expect(slugForHeadline('a'.repeat(100))).toBe('a'.repeat(80));
  });

  it('draftText quotes the title as one YAML string', () => {
    expect(draftText({ title: 'A "quoted" title', date: '2024-01-01', id: ID }).split('\n')[1]).toBe('title: "A \\"quoted\\" title"');
  });
});

describe('main', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
  };

  it('prints the path relative to the working directory, joining unquoted words', async () => {
    const dir = contentDir();
    const cwd = path.dirname(dir);
    const t = io();
    expect(await newMain(['Headline', 'of', 'the', 'story'], t.io, { CONTENT_DIR: 'content', LOG_LEVEL: 'silent' }, cwd)).toBe(0);
    expect(t.out.join('')).toBe(`content${path.sep}headline-of-the-story.md\n`);
    expect(t.err).toEqual([]);
  });

  it('exits 2 with the usage for an empty headline, 1 for an existing file', async () => {
    const dir = contentDir();
    const cwd = path.dirname(dir);
    const env = { CONTENT_DIR: 'content' };
    const a = io();
    expect(await newMain([], a.io, env, cwd)).toBe(2);
    expect(a.err.join('')).toBe('usage: npm run new -- "Headline of the story"\n');
    const b = io();
    expect(await newMain([''], b.io, env, cwd)).toBe(2);
    await newMain(['Twice'], io().io, env, cwd);
    const c = io();
    expect(await newMain(['Twice'], c.io, env, cwd)).toBe(1);
    expect(c.err.join('')).toBe(`npm run new: content${path.sep}twice.md already exists; edit it, or choose another headline\n`);
  });

  it('exits 1 naming the variable when the configuration is invalid, or CONTENT_DIR is missing', async () => {
    const cwd = path.dirname(contentDir());
    const a = io();
    expect(await newMain(['Story'], a.io, { SITE_TIMEZONE: 'Mars/Olympus' }, cwd)).toBe(1);
    expect(a.err.join('')).toMatch(/^configuration error: SITE_TIMEZONE: /);
    const b = io();
    expect(await newMain(['Story'], b.io, { CONTENT_DIR: 'nowhere' }, cwd)).toBe(1);
    expect(b.err.join('')).toBe('npm run new: CONTENT_DIR nowhere does not exist\n');
  });
});

describe('the real command', () => {
  const run = (args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      // What `npm run new` runs (tsx), loaded in-process rather than through tsx's own launcher process.
      const tsx = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
      const child = spawn(process.execPath, ['--import', tsx, path.join(REPO, 'src/cli/new.ts'), ...args], {
        cwd,
        env: { ...process.env, CONTENT_DIR: 'content', SITE_TIMEZONE: 'UTC', NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('writes the draft, prints its path, and exits 1 rather than overwrite it', async () => {
    const dir = contentDir();
    const cwd = path.dirname(dir);
    const first = await run(['Headline of the story'], cwd);
    expect(first).toMatchObject({ code: 0, stdout: `content${path.sep}headline-of-the-story.md\n`, stderr: '' });
    const text = readFileSync(path.join(dir, 'headline-of-the-story.md'), 'utf8');
    expect(text).toContain('title: "Headline of the story"\n');
    expect(text).toContain(`date: ${new Date().toISOString().slice(0, 10)}\n`);
    const again = await run(['Headline of the story'], cwd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(path.join(dir, 'headline-of-the-story.md'), 'utf8')).toBe(text);
  }, 30_000);
});
