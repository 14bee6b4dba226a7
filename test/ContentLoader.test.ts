import { mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentChangedError, ContentLoader, isIgnoredName, type ContentState, type LoadedPart } from '../src/content/ContentLoader.js';
import { formatDiagnostic } from '../src/content/diagnostic.js';
import { png } from './helpers/png.js';
import { md, removeDir, tempDir, writeFiles } from './helpers/site.js';

let root: string;
let contentDir: string;
let publicDir: string;

beforeEach(() => {
  root = tempDir();
  contentDir = path.join(root, 'content');
  publicDir = path.join(root, 'public');
  mkdirSync(contentDir);
  mkdirSync(publicDir);
});
afterEach(() => removeDir(root));

const loader = (keepLastGood = false, maxBytes = 1_048_576): ContentLoader => new ContentLoader({ contentDir, publicDir, timezone: 'UTC', maxBytes, keepLastGood });
const art = (title: string, date = '2024-03-22', extra = ''): string => md(`title: ${title}\ndate: ${date}\nauthor: A${extra ? `\n${extra}` : ''}`, `${title} body.`);
const report = (s: ContentState): string[] => s.diagnostics.map(formatDiagnostic);
const slugs = (s: ContentState): string[] => s.articles.map((a) => a.slug);

describe('ContentLoader: which files are content', () => {
  it('loads *.md anywhere except README.md, _ and . names, and pages/', async () => {
    writeFiles(contentDir, {
      'top.md': art('Top'),
      'world/africa/nested.md': art('Nested'),
      'README.md': '# Not an article',
      'world/readme.md': '# Not one either',
      '_drafts/hidden.md': art('Hidden'),
      '_partial.md': art('Partial'),
      '.hidden.md': art('Dot'),
      '.git/HEAD.md': art('Git'),
      'notes.txt': 'not markdown',
      'top.md~': art('Backup'),
      '#top.md#': art('Emacs'),
      '4913': 'vim probe',
      'pages/about.md': md('title: About', 'About us.'),
      'pages/deeper/ignored.md': md('title: Deeper', 'Not a page.'),
    });
    const s = await loader().load();
    expect(report(s)).toEqual([]);
    expect(s.articles.map((a) => a.file).sort()).toEqual(['top.md', 'world/africa/nested.md']);
    expect(s.pages.map((p) => p.file)).toEqual(['pages/about.md']);
    expect(s.files).toBe(3);
  });

  it('names editors\' temporary files as ignored', () => {
    for (const name of ['.x.md.swp', 'x.md~', '#x.md#', '.#x.md', '4913', '_x.md', '.git']) expect(isIgnoredName(name)).toBe(true);
    for (const name of ['x.md', 'pages', 'README.md']) expect(isIgnoredName(name)).toBe(false);
  });

  it('reports a missing CONTENT_DIR as an error', async () => {
    rmSync(contentDir, { recursive: true });
    const s = await loader().load();
    expect(report(s)).toEqual(['.:1:1: file: CONTENT_DIR content does not exist or cannot be read']);
    expect(s.articles).toEqual([]);
  });

  it('refuses a symbolic link to a file outside CONTENT_DIR, with a warning', async () => {
    writeFileSync(path.join(root, 'outside.md'), art('Outside'));
    symlinkSync(path.join(root, 'outside.md'), path.join(contentDir, 'linked.md'));
    writeFiles(contentDir, { 'inside.md': art('Inside') });
    symlinkSync(path.join(contentDir, 'inside.md'), path.join(contentDir, 'alias-of-inside.md'));
    const s = await loader().load();
    expect(report(s)).toEqual(['linked.md:1:1: file: is a symbolic link to a place outside CONTENT_DIR; not read (warning)']);
    // A link inside CONTENT_DIR is read like a file (its own name gives its slug).
    expect(slugs(s).sort()).toEqual(['alias-of-inside', 'inside']);
  });
});

describe('ContentLoader: rules across files', () => {
  it('refuses two files with one slug, naming both; the first by path keeps it', async () => {
    writeFiles(contentDir, {
      'a/troops.md': art('First'),
      'b/troops.md': art('Second'),
      'c.md': art('Third', '2024-03-22', 'slug: troops'),
    });
    const s = await loader().load();
    expect(slugs(s)).toEqual(['troops']);
    expect(s.articles[0]!.file).toBe('a/troops.md');
    expect(report(s)).toEqual([
      'b/troops.md:1:1: slug: "troops" is already used by a/troops.md; this file is not published',
      'c.md:1:1: slug: "troops" is already used by a/troops.md; this file is not published',
    ]);
  });

  it('keeps the slug with the file that had it when another file claims it later', async () => {
    writeFiles(contentDir, { 'z-old.md': art('Old', '2024-03-22', 'slug: story') });
    const l = loader();
    await l.load();
    writeFiles(contentDir, { 'a-new.md': art('New', '2024-03-22', 'slug: story') });
    const s = await l.load();
    expect(s.articles.map((a) => a.file)).toEqual(['z-old.md']);
    expect(report(s)).toEqual(['a-new.md:1:1: slug: "story" is already used by z-old.md; this file is not published']);
  });

  it('refuses an alias that is another article\'s address or alias', async () => {
    writeFiles(contentDir, {
      'one.md': art('One', '2024-03-22', 'aliases: [/old-one/]'),
      'two.md': art('Two', '2024-03-22', 'aliases: [/articles/one/]'),
      'three.md': art('Three', '2024-03-22', 'aliases: [/old-one]'),
    });
    const s = await loader().load();
    expect(slugs(s).sort()).toEqual(['one']);
    expect(report(s)).toEqual([
      'three.md:1:1: aliases: alias "/old-one" is already the address or an alias of one.md; this file is not published',
      'two.md:1:1: aliases: alias "/articles/one" is already the address or an alias of one.md; this file is not published',
    ]);
  });

  it('warns about links to articles that do not exist, at the line of the link', async () => {
    writeFiles(contentDir, {
      'one.md': md('title: One\ndate: 2024-03-22\nauthor: A', 'See [two](/articles/two/).\n\nAnd [gone](/articles/gone/).'),
      'two.md': art('Two'),
    });
    const s = await loader().load();
    expect(report(s)).toEqual(['one.md:9:1: body: links to /articles/gone/, which is not a published article (warning)']);
    expect(slugs(s).sort()).toEqual(['one', 'two']);
  });

  it('refuses a file over MAX_ARTICLE_BYTES without reading it', async () => {
    writeFiles(contentDir, { 'big.md': art('Big', '2024-03-22', `summary: ${'x'.repeat(200)}`), 'small.md': art('Small') });
    const s = await loader(false, 200).load();
    expect(slugs(s)).toEqual(['small']);
    expect(report(s)).toEqual([expect.stringMatching(/^big\.md:1:1: file: file is \d+ bytes, over the MAX_ARTICLE_BYTES limit of 200$/)]);
  });
});

describe('ContentLoader: a first load split between workers (loadPart, combine)', () => {
  const split = async (count: number): Promise<{ loaders: ContentLoader[]; parts: LoadedPart[] }> => {
    const loaders = Array.from({ length: count }, () => loader());
    const parts = await Promise.all(loaders.map((l, i) => l.loadPart(i, count)));
    return { loaders, parts };
  };

  it('parses every count-th file of the scan from its index', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B'), 'c.md': art('C'), 'pages/about.md': md('title: About', 'About us.') });
    const { parts } = await split(2);
    expect(parts.map((p) => p.rels)).toEqual([
      ['a.md', 'c.md'],
      ['b.md', 'pages/about.md'],
    ]);
    expect(parts.map((p) => p.at)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(parts[1]!.results.map((r) => r.entry?.slug)).toEqual(['b', 'about']);
  });

  it('with a shared counter, each takes the next file no other has taken; the parts combine as one load', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B'), 'c.md': art('C'), 'd.md': art('D'), 'pages/about.md': md('title: About', 'About us.') });
    const whole = await loader().load();
    const claim = new Int32Array(new SharedArrayBuffer(4));
    const [first, second] = [loader(), loader()];
    // One after the other: the first takes everything, the second finds nothing left.
    const a = await first.loadPart(0, 2, claim);
    const b = await second.loadPart(1, 2, claim);
    expect(a.at).toEqual([0, 1, 2, 3, 4]);
    expect(a.rels).toEqual(['a.md', 'b.md', 'c.md', 'd.md', 'pages/about.md']);
    expect(b.at).toEqual([]);
    expect(first.combine([a, b])).toEqual(whole);
    expect(second.combine([b, a])).toEqual(whole);
    // Side by side they share the files between them, each file once.
    Atomics.store(claim, 0, 0);
    const [c, d] = await Promise.all([loader().loadPart(0, 2, claim), second.loadPart(1, 2, claim)]);
    expect([...c.at, ...d.at].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(second.combine([c, d])).toEqual(whole);
  });

  it('refuses parts that leave a file out or take one twice', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B'), 'c.md': art('C') });
    const { loaders, parts } = await split(2);
    const [own, other] = parts as [LoadedPart, LoadedPart];
    const missing = { ...other, at: other.at.slice(1), rels: other.rels.slice(1), results: other.results.slice(1) };
    expect(() => loaders[0]!.combine([own, missing])).toThrow(ContentChangedError);
    const twice = { ...other, at: [...other.at, 0], rels: [...other.rels, 'a.md'], results: [...other.results, own.results[0]!] };
    expect(() => loaders[0]!.combine([own, twice])).toThrow(ContentChangedError);
    const beyond = { ...other, at: [...other.at, 3], rels: [...other.rels, 'd.md'], results: [...other.results, own.results[0]!] };
    expect(() => loaders[0]!.combine([own, beyond])).toThrow(ContentChangedError);
    expect(loaders[0]!.combine([own, other]).articles.map((x) => x.slug).sort()).toEqual(['a', 'b', 'c']);
  });

  it('gives, in every worker, the state one load gives: entries, problems in file order, cross-file rules', async () => {
    writeFiles(contentDir, {
      'a/troops.md': art('First'),
      'b/troops.md': art('Second'),
      'bad.md': md('date: 2024-03-22\nauthor: A', 'No title.'),
      'links.md': md('title: Links\ndate: 2024-03-22\nauthor: A', 'See [gone](/articles/gone/).'),
      'one.md': art('One', '2024-03-22', 'aliases: [/old-one/]'),
      'two.md': art('Two', '2024-03-22', 'aliases: [/old-one]'),
      'pages/about.md': md('title: About', 'About us.'),
    });
    const whole = await loader().load();
    expect(report(whole)).toEqual([
      'bad.md:2:1: title: is required',
      'b/troops.md:1:1: slug: "troops" is already used by a/troops.md; this file is not published',
      'two.md:1:1: aliases: alias "/old-one" is already the address or an alias of one.md; this file is not published',
      'links.md:7:1: body: links to /articles/gone/, which is not a published article (warning)',
    ]);
    for (const count of [2, 3]) {
      const { loaders, parts } = await split(count);
      for (const l of loaders) expect(l.combine(parts)).toEqual(whole);
    }
  });

  it('refuses parts made from another list of files (the content changed between the scans)', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B') });
    const first = loader();
    const own = await first.loadPart(0, 2);
    writeFiles(contentDir, { 'a2.md': art('A2') });
    const other = await loader().loadPart(1, 2);
    expect(other.rels).toEqual(['a2.md']);
    expect(() => first.combine([own, other])).toThrow(ContentChangedError);
    expect(() => first.combine([own, other])).toThrow('the content changed while the export was reading it; run the export again');
  });

  it('reports a missing CONTENT_DIR as one load does', async () => {
    rmSync(contentDir, { recursive: true });
    const { loaders, parts } = await split(2);
    const s = loaders[1]!.combine(parts);
    expect(s.rootMissing).toBe(true);
    expect(report(s)).toEqual(['.:1:1: file: CONTENT_DIR content does not exist or cannot be read']);
  });
});

describe('ContentLoader: images', () => {
  it('reads width and height from the file under public/', async () => {
    writeFiles(publicDir, { 'images/photo.png': png(40, 30) });
    writeFiles(contentDir, { 'a.md': art('A', '2024-03-22', 'image:\n  src: /images/photo.png\n  alt: A photo') });
    const s = await loader().load();
    expect(report(s)).toEqual([]);
    expect(s.articles[0]!.image).toEqual({ src: '/images/photo.png', alt: 'A photo', width: 40, height: 30 });
  });

  it('warns about a missing file and shows the image once the file appears', async () => {
    writeFiles(contentDir, { 'a.md': art('A', '2024-03-22', 'image:\n  src: /images/later.png\n  alt: A photo\n  credit: Cred') });
    const l = loader(true);
    const first = await l.load();
    expect(report(first)).toEqual(['a.md:6:8: image.src: file public/images/later.png does not exist or is not an image; the article is shown without it (warning)']);
    expect(first.articles[0]!.image).toEqual({ credit: 'Cred' });
    writeFiles(publicDir, { 'images/later.png': png(8, 6) });
    const second = await l.load();
    expect(report(second)).toEqual([]);
    expect(second.articles[0]!.image).toEqual({ src: '/images/later.png', alt: 'A photo', width: 8, height: 6, credit: 'Cred' });
  });

  it('does not read images outside public/', async () => {
    writeFileSync(path.join(root, 'secret.png'), png(2, 2));
    const l = loader();
    expect(l.imageInfo('/../secret.png')).toBeUndefined();
    expect(l.imageInfo('/%2e%2e/secret.png')).toBeUndefined();
    symlinkSync(path.join(root, 'secret.png'), path.join(publicDir, 'link.png'));
    expect(l.imageInfo('/link.png')).toBeUndefined();
    writeFiles(publicDir, { 'not-an-image.png': 'text' });
    expect(l.imageInfo('/not-an-image.png')).toBeUndefined();
  });
});

describe('ContentLoader: reloads', () => {
  it('keeps the same objects for unchanged files and re-reads changed ones', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B') });
    const l = loader();
    const first = await l.load();
    const [a1, b1] = first.articles;
    writeFileSync(path.join(contentDir, 'b.md'), art('B changed'));
    utimesSync(path.join(contentDir, 'b.md'), new Date(), new Date(Date.now() + 5000));
    const second = await l.load();
    expect(second.articles[0]).toBe(a1);
    expect(second.articles[1]).not.toBe(b1);
    expect(second.articles[1]!.title).toBe('B changed');
  });

  it('keeps identity when a file is rewritten with the same content', async () => {
    writeFiles(contentDir, { 'a.md': art('A') });
    const l = loader();
    const [a1] = (await l.load()).articles;
    writeFileSync(path.join(contentDir, 'a.md'), art('A'));
    utimesSync(path.join(contentDir, 'a.md'), new Date(), new Date(Date.now() + 5000));
    expect((await l.load()).articles[0]).toBe(a1);
  });

  it('drops deleted and renamed-away files', async () => {
    writeFiles(contentDir, { 'a.md': art('A'), 'b.md': art('B') });
    const l = loader();
    await l.load();
    rmSync(path.join(contentDir, 'a.md'));
    renameSync(path.join(contentDir, 'b.md'), path.join(contentDir, 'c.md'));
    const s = await l.load();
    expect(slugs(s)).toEqual(['c']);
  });

  it('with keepLastGood, serves the last good version of a file that breaks, and reports it', async () => {
    writeFiles(contentDir, { 'a.md': art('Good') });
    const l = loader(true);
    const [good] = (await l.load()).articles;
    writeFileSync(path.join(contentDir, 'a.md'), md('title: Broken\ndate: 2024-13-45\nauthor: A'));
    utimesSync(path.join(contentDir, 'a.md'), new Date(), new Date(Date.now() + 5000));
    const s = await l.load();
    expect(s.articles).toEqual([good]);
    expect(report(s)).toEqual(['a.md:3:7: date: "2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)']);
  });

  it('without keepLastGood (npm run check, a fresh start), leaves a broken file out', async () => {
    writeFiles(contentDir, { 'a.md': art('Good') });
    const l = loader(false);
    await l.load();
    writeFileSync(path.join(contentDir, 'a.md'), md('title: Broken\ndate: 2024-13-45\nauthor: A'));
    utimesSync(path.join(contentDir, 'a.md'), new Date(), new Date(Date.now() + 5000));
    expect((await l.load()).articles).toEqual([]);
  });

  it('never publishes a new file that is invalid', async () => {
    const l = loader(true);
    await l.load();
    writeFiles(contentDir, { 'new.md': md('title: New\nauthor: A') });
    const s = await l.load();
    expect(s.articles).toEqual([]);
    expect(report(s)).toEqual(['new.md:2:1: date: is required']);
  });
});
