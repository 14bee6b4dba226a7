import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { parse } from 'yaml';
import { crc32, generateCorpus, TAGS, type GenerateResult } from '../bench/gen.js';

const N = 50;
const SEED = 12345;
const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const GEN_SCRIPT = fileURLToPath(new URL('../bench/gen.ts', import.meta.url));

type FrontMatter = Record<string, unknown>;

interface Article {
  file: string;
  fm: FrontMatter;
  body: string;
}

function isRecord(v: unknown): v is FrontMatter {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function splitFrontMatter(file: string, text: string): Article {
  expect(text.startsWith('---\n'), file).toBe(true);
  const end = text.indexOf('\n---\n', 4);
  expect(end, file).toBeGreaterThan(0);
  const fm: unknown = parse(text.slice(4, end + 1));
  if (!isRecord(fm)) throw new Error(`${file}: front matter is not a mapping`);
  return { file, fm, body: text.slice(end + 5) };
}

/** Whitespace-separated words once block markers (headings, quotes, list bullets) are stripped. */
function countWords(body: string): number {
  let n = 0;
  for (const line of body.split('\n')) {
    const text = line.replace(/^(#{1,6} |>( |$)|- |\d+\. )/, '').trim();
    if (text !== '') n += text.split(/\s+/).length;
  }
  return n;
}

function asString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a string: ${JSON.stringify(v)}`);
  return v;
}

async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out.set(full.slice(dir.length), await readFile(full));
  }
  return out;
}

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // `--import tsx` resolves from cwd, so run from the repo root.
  const res = spawnSync(process.execPath, ['--import', 'tsx', GEN_SCRIPT, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('bench/gen corpus generator', () => {
  let root = '';
  let resultA: GenerateResult;
  let resultB: GenerateResult;
  let articles: Article[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gen-test-'));
    resultA = await generateCorpus(N, join(root, 'a'), SEED, { publicDir: join(root, 'public-a') });
    resultB = await generateCorpus(N, join(root, 'b'), SEED, { publicDir: join(root, 'public-b') });
    const files = (await readdir(join(root, 'a'))).sort();
    articles = await Promise.all(
      files.map(async (f) => splitFrontMatter(f, await readFile(join(root, 'a', f), 'utf8'))),
    );
  });

  afterAll(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('is byte-identical across runs with the same seed', async () => {
    expect(resultA).toEqual(resultB);
    expect(resultA.articles).toBe(N);
    for (const [a, b] of [['a', 'b'], ['public-a', 'public-b']] as const) {
      const treeA = await readTree(join(root, a));
      const treeB = await readTree(join(root, b));
      expect([...treeA.keys()].sort()).toEqual([...treeB.keys()].sort());
      for (const [name, buf] of treeA) expect(buf.equals(treeB.get(name) ?? Buffer.alloc(0)), name).toBe(true);
    }
  });

  it('produces a different corpus for a different seed', async () => {
    const dir = join(root, 'other-seed');
    await generateCorpus(5, dir, SEED + 1);
    const names = await readdir(dir);
    expect(names.some((f) => !articles.some((a) => a.file === f))).toBe(true);
  });

  it('writes N files whose front matter parses and has the required fields', () => {
    expect(articles).toHaveLength(N);
    const titles = new Set<string>();
    const slugs = new Set<string>();
    for (const { file, fm } of articles) {
      const title = asString(fm.title, `${file} title`);
      const words = title.split(' ').length;
      expect(words, file).toBeGreaterThanOrEqual(4);
      expect(words, file).toBeLessThanOrEqual(14);
      titles.add(title);

      const date = asString(fm.date, `${file} date`);
      expect(date, file).toMatch(DATE_TIME_RE);
      const dateMs = Date.parse(date);
      expect(dateMs, file).toBeGreaterThanOrEqual(Date.UTC(2022, 11, 1));
      expect(dateMs, file).toBeLessThan(Date.UTC(2026, 0, 1));

      const authors: unknown[] = Array.isArray(fm.author) ? fm.author : [fm.author];
      expect(authors.length, file).toBeGreaterThanOrEqual(1);
      expect(authors.length, file).toBeLessThanOrEqual(2);
      for (const a of authors) expect(asString(a, `${file} author`)).toMatch(/^\S+ \S+$/);
      if (Array.isArray(fm.author)) expect(authors).toHaveLength(2);

      const slug = asString(fm.slug, `${file} slug`);
      expect(slug).toMatch(SLUG_RE);
      expect(`${slug}.md`).toBe(file);
      slugs.add(slug);

      expect(asString(fm.id, `${file} id`)).toMatch(UUID_RE);
      if (fm.publisher !== undefined) asString(fm.publisher, `${file} publisher`);
      if (fm.summary !== undefined) expect(asString(fm.summary, `${file} summary`).length).toBeLessThanOrEqual(300);
      if (fm.tags !== undefined) {
        expect(Array.isArray(fm.tags), file).toBe(true);
        const tags: unknown[] = Array.isArray(fm.tags) ? fm.tags : [];
        expect(tags.length).toBeLessThanOrEqual(5);
        expect(new Set(tags).size).toBe(tags.length);
        for (const t of tags) expect(TAGS).toContain(asString(t, `${file} tag`));
      }
      if (fm.updated !== undefined) {
        const updated = asString(fm.updated, `${file} updated`);
        expect(updated).toMatch(DATE_TIME_RE);
        expect(Date.parse(updated)).toBeGreaterThan(dateMs);
        expect(Date.parse(updated)).toBeLessThan(Date.UTC(2026, 0, 1));
      }
      if (fm.corrections !== undefined) {
        const corrections: unknown[] = Array.isArray(fm.corrections) ? fm.corrections : [];
        expect(corrections.length).toBeGreaterThanOrEqual(1);
        expect(corrections.length).toBeLessThanOrEqual(2);
        for (const c of corrections) {
          if (!isRecord(c)) throw new Error(`${file}: correction is not a mapping`);
          const day = asString(c.date, `${file} correction date`);
          expect(day).toMatch(DAY_RE);
          expect(Date.parse(day)).toBeGreaterThan(dateMs);
          expect(asString(c.text, `${file} correction text`).length).toBeGreaterThan(0);
        }
      }
      if (fm.image !== undefined) {
        if (!isRecord(fm.image)) throw new Error(`${file}: image is not a mapping`);
        expect(fm.image.src).toBe(`/images/gen/${slug}.png`);
        for (const k of ['alt', 'caption', 'credit']) expect(asString(fm.image[k], `${file} image.${k}`).length).toBeGreaterThan(0);
        expect(fm.image.credit).toMatch(/^Photo by .+ \/ .+$/);
      }
    }
    expect(titles.size).toBe(N);
    expect(slugs.size).toBe(N);
  });

  it('draws tags from a pool of 200 names, including awkward ones', () => {
    expect(new Set(TAGS).size).toBe(200);
    expect(TAGS).toContain("Côte d'Ivoire");
    expect(TAGS.some((t) => t.includes('&'))).toBe(true);
    expect(TAGS.some((t) => t.includes('.'))).toBe(true);
  });

  it('varies the optional fields', () => {
    const count = (pred: (fm: FrontMatter) => boolean): number => articles.filter((a) => pred(a.fm)).length;
    expect(count((fm) => Array.isArray(fm.author))).toBeGreaterThan(0);
    expect(count((fm) => !Array.isArray(fm.author))).toBeGreaterThan(0);
    expect(count((fm) => Array.isArray(fm.tags) && fm.tags.length > 0)).toBeGreaterThan(0);
    expect(count((fm) => fm.tags === undefined)).toBeGreaterThan(0);
    expect(count((fm) => fm.summary !== undefined)).toBeGreaterThan(0);
    expect(count((fm) => fm.publisher !== undefined)).toBeGreaterThan(0);
    expect(count((fm) => fm.image !== undefined)).toBeGreaterThan(0);
  });

  it('writes Markdown bodies of 300-1500 words with links only to generated articles', () => {
    const slugs = new Set(articles.map((a) => a.file.replace(/\.md$/, '')));
    let internal = 0;
    let external = 0;
    let lists = 0;
    let quotes = 0;
    for (const { file, body } of articles) {
      const words = countWords(body);
      expect(words, file).toBeGreaterThanOrEqual(300);
      expect(words, file).toBeLessThanOrEqual(1500);
      expect(body, file).toMatch(/^## \S/m);
      expect(body, file).not.toMatch(/<[a-zA-Z/!]/);
      const self = file.replace(/\.md$/, '');
      for (const m of body.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1] ?? '';
        const internalMatch = /^\/articles\/([^/]+)\/$/.exec(href);
        if (internalMatch !== null) {
          const target = internalMatch[1] ?? '';
          expect(slugs.has(target), `${file} -> ${href}`).toBe(true);
          expect(target, file).not.toBe(self);
          internal++;
        } else {
          expect(href, file).toMatch(/^https:\/\/example\.org\//);
          external++;
        }
      }
      if (/^(- |1\. )/m.test(body)) lists++;
      if (/^> /m.test(body)) quotes++;
    }
    expect(internal).toBeGreaterThan(0);
    expect(external).toBeGreaterThan(0);
    expect(lists).toBeGreaterThan(0);
    expect(quotes).toBeGreaterThan(0);
  });

  it('writes a valid PNG for every article with an image when publicDir is given', async () => {
    const withImage = articles.filter((a) => a.fm.image !== undefined);
    const pngs = await readdir(join(root, 'public-a', 'images', 'gen'));
    expect(pngs.sort()).toEqual(withImage.map((a) => a.file.replace(/\.md$/, '.png')).sort());
    expect(resultA.images).toBe(withImage.length);
    for (const name of pngs) {
      const png = await readFile(join(root, 'public-a', 'images', 'gen', name));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
      expect(png.toString('latin1', 12, 16)).toBe('IHDR');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      expect(width).toBeGreaterThanOrEqual(800);
      expect(width).toBeLessThanOrEqual(1600);
      expect(height).toBeGreaterThanOrEqual(600);
      expect(height).toBeLessThanOrEqual(1080);
      expect(png.length).toBeLessThan(64 * 1024);

      // Walk every chunk: CRCs must hold and IDAT must inflate to exactly the scanlines IHDR promises.
      const idat: Buffer[] = [];
      let off = 8;
      let last = '';
      while (off < png.length) {
        const len = png.readUInt32BE(off);
        last = png.toString('latin1', off + 4, off + 8);
        expect(png.readUInt32BE(off + 8 + len), `${name} ${last} crc`).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
        if (last === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
        off += 12 + len;
      }
      expect(last).toBe('IEND');
      expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * 3));
    }
  });

  it('implements the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('keeps the image front matter but writes no files without publicDir', async () => {
    const dir = join(root, 'no-public');
    const res = await generateCorpus(N, dir, SEED);
    expect(res).toEqual({ articles: N, images: 0 });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(articles.map((a) => a.file));
    // Image output must not perturb the PRNG stream, or the same seed would yield different articles.
    for (const f of names) {
      const same = (await readFile(join(dir, f))).equals(await readFile(join(root, 'a', f)));
      expect(same, f).toBe(true);
    }
  });

  it('refuses a non-empty directory and bad arguments', async () => {
    await expect(generateCorpus(3, join(root, 'a'), SEED)).rejects.toThrow(/not empty/);
    await expect(generateCorpus(0, join(root, 'zero'))).rejects.toThrow(/positive integer/);
    await expect(generateCorpus(2.5, join(root, 'frac'))).rejects.toThrow(/positive integer/);
  });

  // Each spawn pays tsx start-up, which is slow on a loaded machine.
  it('runs as a CLI and rejects missing or invalid arguments', { timeout: 60_000 }, () => {
    const missing = runCli([]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/usage: npm run gen/);

    const invalid = runCli(['ten', join(root, 'cli-bad'), '--seed', 'x']);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/must be an integer/);

    const ok = runCli(['3', join(root, 'cli-ok'), '--seed=7', '--public', join(root, 'cli-public')]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^wrote 3 articles \(\d+ images\) to .+cli-ok in \d+ ms\n$/);
  });
});
