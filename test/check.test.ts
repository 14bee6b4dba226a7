// `npm run check`: one line per problem (path:line:column: field: message), a summary, --json, exit codes.
// runCheck is tested directly; one test spawns the real CLI to prove stdout, stderr and exit codes.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, parseArgs, runCheck } from '../src/cli/check.js';
import { testConfig } from '../src/config.js';
import type { MarkdownOptions } from '../src/markdown.js';
import { closeSites, makeSite, md, REPO, type Files } from './helpers/site.js';

afterEach(closeSites);

// Bodies that would not render are refused before rendering (see parseEntry), so a render failure cannot be
// produced with real content; this marker makes renderMarkdown fail as a future bug in it would.
const RENDER_FAILS = 'RENDER-FAILS-HERE';
vi.mock('../src/markdown.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/markdown.js')>();
  return {
    ...real,
    renderMarkdown(markdown: string, options: MarkdownOptions): string {
      if (markdown.includes('RENDER-FAILS-HERE')) throw new real.MarkdownError('the Markdown could not be rendered (test)');
      return real.renderMarkdown(markdown, options);
    },
  };
});

const ok = (extra = '', body = 'Body.'): string => md(`title: T\ndate: 2024-03-22\nauthor: A${extra}`, body);

const BROKEN: Files = {
  'good.md': ok('', 'See [gone](/articles/gone/) and [fine](/articles/warnings/).'),
  'warnings.md': ok('\nsubtitle: S\nimage:\n  src: /images/missing.jpg\n  alt: A photo'),
  'bad-yaml.md': '---\ntitle: T\ndate: [2024\nauthor: A\n---\nBody\n',
  'no-date.md': md('title: T\nauthor: A', 'Body.'),
  'bad-date.md': md('title: T\ndate: "2024-13-45"\nauthor: A', 'Body.'),
  'Bad Name.md': ok(),
  'dup-a.md': ok('\nslug: dup'),
  'dup-b.md': ok('\nslug: dup'),
  'updated.md': ok('\nupdated: 2024-03-21'),
  'empty.md': '---\ntitle: T\ndate: 2024-03-22\nauthor: A\n---\n',
  'big.md': ok('', 'x'.repeat(5000)),
  'urls.md': ok('\nsource:\n  url: /story\ncanonical: example.com/story'),
  'alias.md': ok('\naliases: [old/path]'),
  'pages/articles.md': md('title: Articles', 'Body.'),
};

const BROKEN_LINES = [
  'Bad Name.md:1:1: slug: file name "Bad Name" is not a valid slug: rename the file (lowercase letters, digits, single hyphens) or set slug:',
  'alias.md:5:11: aliases: "old/path" must be a site-relative path starting with a single / (no scheme, no //, no ..)',
  'bad-date.md:3:7: date: "2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
  'bad-yaml.md:4:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]',
  'big.md:1:1: file: file is 5046 bytes, over the MAX_ARTICLE_BYTES limit of 4096',
  'dup-b.md:1:1: slug: "dup" is already used by dup-a.md; this file is not published',
  'empty.md:6:1: body: the body is empty',
  'good.md:7:1: body: links to /articles/gone/, which is not a published article (warning)',
  'no-date.md:2:1: date: is required',
  'pages/articles.md:2:8: title: page slug "articles" collides with a route the site uses',
  'updated.md:5:10: updated: is earlier than date',
  'urls.md:6:8: source.url: "/story" is not an absolute http(s) URL',
  'urls.md:7:12: canonical: "example.com/story" is not an absolute http(s) URL',
  'warnings.md:5:1: subtitle: unknown field "subtitle" is ignored (warning)',
  'warnings.md:7:8: image.src: file public/images/missing.jpg does not exist or is not an image; the article is shown without it (warning)',
  'checked 14 files: 12 errors, 3 warnings',
];

describe('runCheck', () => {
  it('prints one sorted line per problem, then a summary, and exits 1 on errors', async () => {
    const site = await makeSite(BROKEN, { env: { MAX_ARTICLE_BYTES: '4096' } });
    const r = await runCheck(site.config);
    expect(r.output).toBe(`${BROKEN_LINES.join('\n')}\n`);
    expect(r.exitCode).toBe(1);
    expect(r.files).toBe(14);
  });

  it('prints the same problems as a JSON array with --json', async () => {
    const site = await makeSite(BROKEN, { env: { MAX_ARTICLE_BYTES: '4096' } });
    const r = await runCheck(site.config, { json: true });
    const list = JSON.parse(r.output) as unknown[];
    expect(list).toHaveLength(15);
    expect(list[0]).toEqual({
      path: 'Bad Name.md',
      line: 1,
      column: 1,
      field: 'slug',
      severity: 'error',
      message: 'file name "Bad Name" is not a valid slug: rename the file (lowercase letters, digits, single hyphens) or set slug:',
    });
    expect(list[2]).toEqual({
      path: 'bad-date.md',
      line: 3,
      column: 7,
      field: 'date',
      severity: 'error',
      message: '"2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
    });
    expect(list[7]).toEqual({
      path: 'good.md',
      line: 7,
      column: 1,
      field: 'body',
      severity: 'warning',
      message: 'links to /articles/gone/, which is not a published article',
    });
    for (const d of list) expect(Object.keys(d as object)).toEqual(['path', 'line', 'column', 'field', 'severity', 'message']);
    // The text lines and the JSON say the same thing.
    const asLines = (list as { path: string; line: number; column: number; field: string; severity: string; message: string }[]).map(
      (d) => `${d.path}:${d.line}:${d.column}: ${d.field}: ${d.message}${d.severity === 'warning' ? ' (warning)' : ''}`,
    );
    expect(asLines).toEqual(BROKEN_LINES.slice(0, -1));
    expect(r.exitCode).toBe(1);
  });

  it('exits 0 when there are only warnings', async () => {
    const site = await makeSite({ 'a.md': ok('\nsubtitle: S'), 'b.md': ok('', 'See [x](/articles/nowhere/).') });
    const r = await runCheck(site.config);
    expect(r.output).toBe(
      [
        'a.md:5:1: subtitle: unknown field "subtitle" is ignored (warning)',
        'b.md:7:1: body: links to /articles/nowhere/, which is not a published article (warning)',
        'checked 2 files: 0 errors, 2 warnings',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(0);
  });

  it('exits 0 with only a summary for clean content, and [] as JSON', async () => {
    const site = await makeSite({ 'a.md': ok(), 'pages/about.md': md('title: About', 'Us.') });
    expect(await runCheck(site.config)).toMatchObject({ output: 'checked 2 files: 0 errors, 0 warnings\n', exitCode: 0 });
    expect(await runCheck(site.config, { json: true })).toMatchObject({ output: '[]\n', exitCode: 0 });
  });

  it('counts in the singular', async () => {
    const site = await makeSite({ 'a.md': ok('\nsubtitle: S\ndate2: x'), 'b.md': md('title: T\nauthor: A') });
    expect((await runCheck(site.config)).output.split('\n').at(-2)).toBe('checked 2 files: 1 error, 2 warnings');
    const one = await makeSite({ 'a.md': ok('\nsubtitle: S') });
    expect((await runCheck(one.config)).output.split('\n').at(-2)).toBe('checked 1 file: 0 errors, 1 warning');
  });

  it('renders every article and page body, reporting the ones that fail at the body line', async () => {
    const site = await makeSite({
      'a.md': ok('', `Fine.\n\n${RENDER_FAILS}`),
      'b.md': ok(),
      'pages/about.md': md('title: About', RENDER_FAILS),
    });
    const r = await runCheck(site.config);
    expect(r.output).toBe(
      [
        'a.md:6:1: body: the Markdown could not be rendered (test)',
        'pages/about.md:4:1: body: the Markdown could not be rendered (test)',
        'checked 3 files: 2 errors, 0 warnings',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(1);
  });

  it('fails when CONTENT_DIR does not exist', async () => {
    const site = await makeSite({});
    const r = await runCheck(testConfig({ CONTENT_DIR: path.join(site.root, 'no-such-folder'), PUBLIC_DIR: site.publicDir }));
    expect(r.output).toBe('.:1:1: file: CONTENT_DIR no-such-folder does not exist or cannot be read\nchecked 0 files: 1 error, 0 warnings\n');
    expect(r.exitCode).toBe(1);
  });

  it('passes the bundled content', async () => {
    const r = await runCheck(testConfig({ CONTENT_DIR: path.join(REPO, 'content'), PUBLIC_DIR: path.join(REPO, 'public') }));
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^checked \d+ files: 0 errors, 0 warnings\n$/);
  });
});

describe('arguments and configuration', () => {
  it('parses --json, --help and refuses anything else', () => {
    expect(parseArgs([])).toEqual({ kind: 'run', json: false });
    expect(parseArgs(['--json'])).toEqual({ kind: 'run', json: true });
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['--jsn'])).toEqual({ kind: 'usage-error', message: 'unknown argument "--jsn"' });
  });

  it('exits 2 with a message for bad usage or invalid configuration', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    expect(await main(['content/'], {}, io)).toBe(2);
    expect(err.join('')).toBe('check: unknown argument "content/"\nusage: npm run check [-- --json]\n');
    err.length = 0;
    expect(await main([], { SITE_TIMEZONE: 'Nowhere/Land' }, io)).toBe(2);
    expect(err.join('')).toBe('check: configuration error: SITE_TIMEZONE: "Nowhere/Land" is not an IANA time zone such as Europe/Paris\n');
    expect(out).toEqual([]);
  });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'src/cli/check.ts'), ...args],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 50_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the real CLI', () => {
  it('prints lines or JSON, and exits 1, 0 or 2', async () => {
    const broken = await makeSite({
      'a.md': md('title: T\ndate: "2024-13-45"\nauthor: A', 'Body.'),
      'b.md': ok('\nsubtitle: S'),
    });
    const clean = await makeSite({ 'a.md': ok() });
    const env = (dir: string): Record<string, string> => ({ CONTENT_DIR: dir, PUBLIC_DIR: path.join(REPO, 'public') });
    const [text, json, fine, badConfig] = await Promise.all([
      runCli([], env(broken.contentDir)),
      runCli(['--json'], env(broken.contentDir)),
      runCli([], env(clean.contentDir)),
      runCli(['--json'], { ...env(clean.contentDir), PORT: 'eighty' }),
    ]);
    expect(text).toEqual({
      code: 1,
      stdout: [
        'a.md:3:7: date: "2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
          'b.md:5:1: subtitle: unknown field "subtitle" is ignored (warning)',
        'checked 2 files: 1 error, 1 warning',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual([
      { path: 'a.md', line: 3, column: 7, field: 'date', severity: 'error', message: '"2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)' },
      { path: 'b.md', line: 5, column: 1, field: 'subtitle', severity: 'warning', message: 'unknown field "subtitle" is ignored' },
    ]);
    expect(fine).toEqual({ code: 0, stdout: 'checked 1 file: 0 errors, 0 warnings\n', stderr: '' });
    expect(badConfig).toEqual({ code: 2, stdout: '', stderr: 'check: configuration error: PORT: "eighty" is not a whole number\n' });
  }, 60_000); // four children each compile TypeScript with tsx: about 1 s each when idle, much more on a busy CI machine
});
