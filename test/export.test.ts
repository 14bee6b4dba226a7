// The static export: every file is the body the app serves for its URL, re-runs touch only what changed,
// and static hosts get redirects and headers equal to the app's.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { bundledIfCurrent, ExportError, exportSite, type ExportSummary } from '../src/export/exportSite.js';
import { patternMatches, patternOf } from '../src/export/headerRules.js';
import { aliasFile } from '../src/export/redirects.js';
import { outputFile, sitemapParts } from '../src/export/sitePaths.js';
import { cachePolicies } from '../src/http/SitePages.js';
import { captureHeaders, createHelmet } from '../src/http/security.js';
import { openSite, type OpenSite } from '../src/openSite.js';
import { png } from './helpers/png.js';
import { md, REPO, removeDir, tempDir, writeFiles } from './helpers/site.js';

const NOW = Date.parse('2025-06-02T12:00:00Z');
const SITE_URL = 'https://news.example';

const article = (title: string, date: string, extra = '', body = `The text of ${title}.`): string =>
  md(`title: "${title}"\ndate: ${date}\n${/^author:/m.test(extra) ? '' : 'author: Ann Writer\n'}${extra}`, body);

const CONTENT = {
  'alpha.md': article('Alpha', '2025-06-01', 'tags: [Energy & Power, Niger]\naliases: [/2025/06/old-alpha, /old-alpha.html]'),
  'beta.md': article('Beta', '2025-05-31', 'tags: [Niger]\nauthor: [Ann Writer, Bo Reporter]\nimage: {src: /images/photo.png, alt: A grey square, credit: Staff}'),
  'gamma.md': article('Gamma', '2025-05-30', 'tags: [Energy & Power]', 'Gamma links to [Alpha](/articles/alpha/).\n\n## A heading\n\nMore text.'),
  'delta.md': article('Delta', '2025-05-29', 'author: Bo Reporter'),
  'epsilon.md': article('Epsilon', '2025-05-28'),
  'draft.md': article('Draft', '2025-05-27', 'draft: true'),
  'scheduled.md': article('Scheduled', '2025-07-01'),
  'pages/about.md': md('title: About\nsummary: Who we are.\norder: 1', 'We publish news.'),
};

interface Fixture {
  readonly root: string;
  readonly contentDir: string;
  readonly publicDir: string;
  readonly outDir: string;
  readonly env: Record<string, string>;
}

function fixture(): Fixture {
  const root = tempDir('newsroom-export-');
  const contentDir = path.join(root, 'content');
  const publicDir = path.join(root, 'public');
  cpSync(path.join(REPO, 'public'), publicDir, { recursive: true });
  writeFiles(publicDir, { 'images/photo.png': png(40, 30) });
  writeFiles(contentDir, CONTENT);
  const env = { SITE_URL, CONTENT_DIR: contentDir, PUBLIC_DIR: publicDir, PAGE_SIZE: '2', NODE_ENV: 'production', LOG_LEVEL: 'silent' };
  return { root, contentDir, publicDir, outDir: path.join(root, 'out'), env };
}

// One worker is enough for a few pages; the first export uses two, as on a real machine.
function run(f: Fixture, extra: { precompress?: boolean; force?: boolean; threads?: number } = {}): Promise<ExportSummary> {
  return exportSite({ outDir: f.outDir, env: f.env, cwd: f.root, now: NOW, threads: 1, ...extra });
}

/** The app the server would run on the same content, at the same instant. */
async function serverFor(f: Fixture): Promise<{ app: App; site: OpenSite }> {
  const config = loadConfig({ ...f.env, PREVIEW: 'false' }, f.root);
  const site = await openSite(config, { clock: { now: () => NOW } });
  return { app: createApp(config, site.store, { loader: site.loader }), site };
}

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...files(dir, r));
    else out.push(r);
  }
  return out.sort();
}

/** The URL whose body a file holds: `a/b/index.html` -> `/a/b/`. */
const urlOf = (file: string): string => `/${file.replace(/(^|\/)index\.html$/, '$1')}`;

async function served(app: App, url: string): Promise<{ status: number; body: Buffer; headers: Record<string, string> }> {
  const res = await request(app)
    .get(url)
    .set('Accept-Encoding', 'identity')
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  return { status: res.status, body: res.body as Buffer, headers: res.headers as Record<string, string> };
}

const GENERATED = new Set(['_headers', '_redirects', 'headers.nginx.conf', 'redirects.nginx.conf', '.export-manifest.json']);
const REDIRECT_PAGES = new Set(['2025/06/old-alpha/index.html', 'old-alpha.html']);

describe('static export', () => {
  let f: Fixture;
  let first: ExportSummary;
  let server: { app: App; site: OpenSite };

  beforeAll(async () => {
    f = fixture();
    first = await run(f, { threads: 2 });
    server = await serverFor(f);
  }, 120_000);

  afterAll(() => {
    server?.site.store.dispose();
    if (f) removeDir(f.root);
  });

  it('writes every page type at <path>/index.html, plus documents, assets, public files and 404.html', () => {
    const all = files(f.outDir).filter((x) => !/\.(gz|br)$/.test(x));
    const css = readdirSync(path.join(f.outDir, 'assets')).find((x) => /^style\.[0-9a-f]{12}\.css$/.test(x));
    expect(css).toBeDefined();
    expect(all).toEqual(
      [
        '.export-manifest.json',
        '.well-known/security.txt',
        '2025/06/old-alpha/index.html',
        '404.html',
        '_headers',
        '_redirects',
        'about/index.html',
        'articles/alpha/index.html',
        'articles/beta/index.html',
        'articles/delta/index.html',
        'articles/epsilon/index.html',
        'articles/gamma/index.html',
        `assets/${css}`,
        'atom.xml',
        'authors/ann-writer/index.html',
        'authors/ann-writer/page/2/index.html',
        'authors/bo-reporter/index.html',
        'favicon.svg',
        'feed.json',
        'feed.xml',
        'headers.nginx.conf',
        'images/photo.png',
        'index.html',
        'news-sitemap.xml',
        'old-alpha.html',
        'page/2/index.html',
        'page/3/index.html',
        'redirects.nginx.conf',
        'robots.txt',
        'sitemap.xml',
        'style.css',
        'tags/energy-power/feed.xml',
        'tags/energy-power/index.html',
        'tags/niger/feed.xml',
        'tags/niger/index.html',
      ].sort(),
    );
    expect(first.written).toBe(first.files);
    expect(first.deleted).toBe(0);
    expect(first.skipped).toEqual([]);
  });

  it('writes each body byte for byte as the app serves it for that URL, and .gz/.br siblings of the same bytes', async () => {
    const manifest = JSON.parse(readFileSync(path.join(f.outDir, '.export-manifest.json'), 'utf8')) as { files: string[] };
    const bodies = manifest.files.filter((x) => !/\.(gz|br)$/.test(x) && !GENERATED.has(x) && !REDIRECT_PAGES.has(x));
    expect(bodies.length).toBe(28);
    for (const file of bodies) {
      const url = file === '404.html' ? '/no-such-page/' : urlOf(file);
      const res = await served(server.app, url);
      expect(res.status, url).toBe(file === '404.html' ? 404 : 200);
      const exported = readFileSync(path.join(f.outDir, file));
      expect(exported.equals(res.body), `${file} differs from GET ${url}`).toBe(true);
      if (/\.(png)$/.test(file)) {
        expect(existsSync(path.join(f.outDir, `${file}.gz`))).toBe(false);
        continue;
      }
      expect(gunzipSync(readFileSync(path.join(f.outDir, `${file}.gz`))).equals(exported), `${file}.gz`).toBe(true);
      expect(brotliDecompressSync(readFileSync(path.join(f.outDir, `${file}.br`))).equals(exported), `${file}.br`).toBe(true);
    }
  });

  it('leaves drafts and scheduled articles out', () => {
    expect(existsSync(path.join(f.outDir, 'articles/draft'))).toBe(false);
    expect(existsSync(path.join(f.outDir, 'articles/scheduled'))).toBe(false);
    expect(readFileSync(path.join(f.outDir, 'sitemap.xml'), 'utf8')).not.toContain('scheduled');
  });

  it('turns aliases into redirect pages, a _redirects file and an nginx map', () => {
    const page = readFileSync(path.join(f.outDir, '2025/06/old-alpha/index.html'), 'utf8');
    expect(page).toBe(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Moved: Alpha – Newsroom</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="https://news.example/articles/alpha/">
<meta http-equiv="refresh" content="0; url=/articles/alpha/">
</head>
<body>
<p>This article has moved to <a href="/articles/alpha/">Alpha</a>.</p>
</body>
</html>
`);
    expect(readFileSync(path.join(f.outDir, 'old-alpha.html'), 'utf8')).toBe(page);
    expect(readFileSync(path.join(f.outDir, '_redirects'), 'utf8')).toBe(
      '# Generated by `npm run export`: old addresses (front matter `aliases`) answer 301 to the article.\n' +
        '/2025/06/old-alpha /articles/alpha/ 301\n' +
        '/2025/06/old-alpha/ /articles/alpha/ 301\n' +
        '/old-alpha.html /articles/alpha/ 301\n',
    );
    const map = readFileSync(path.join(f.outDir, 'redirects.nginx.conf'), 'utf8');
    expect(map.slice(map.indexOf('map '))).toBe(
      'map $uri $newsroom_redirect {\n    default "";\n    "/2025/06/old-alpha" "/articles/alpha/";\n    "/2025/06/old-alpha/" "/articles/alpha/";\n    "/old-alpha.html" "/articles/alpha/";\n}\n',
    );
  });

  it('writes _headers with the app’s security headers for every URL and its caching policy per kind of URL', async () => {
    const text = readFileSync(path.join(f.outDir, '_headers'), 'utf8');
    const rules = new Map<string, Record<string, string>>();
    let current: Record<string, string> | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line === '') continue;
      if (!line.startsWith(' ')) rules.set(line, (current = {}));
      else {
        const i = line.indexOf(':');
        current![line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
    }
    const security = captureHeaders(createHelmet());
    const policies = cachePolicies(loadConfig(f.env));
    const all = rules.get('/*')!;
    for (const [name, value] of Object.entries(security)) {
      if (name === 'Cross-Origin-Resource-Policy') continue; // differs for images and feeds: per rule below
      expect(all[name], name).toBe(value);
    }
    expect(all['Cache-Control']).toBeUndefined();
    expect(rules.get('/articles/:slug/')).toEqual({ 'Cache-Control': policies.page, 'Cross-Origin-Resource-Policy': 'same-origin' });
    expect(rules.get('/tags/:slug/page/:n/')).toBeUndefined(); // no tag has a second page here
    expect(rules.get('/authors/:slug/page/:n/')).toEqual({ 'Cache-Control': policies.page, 'Cross-Origin-Resource-Policy': 'same-origin' });
    expect(rules.get('/assets/*')).toEqual({ 'Cache-Control': policies.asset, 'Cross-Origin-Resource-Policy': 'same-origin' });
    expect(rules.get('/404.html')).toEqual({ 'Cache-Control': policies.none, 'Cross-Origin-Resource-Policy': 'same-origin' });
    expect(rules.get('/feed.xml')).toEqual({ 'Cache-Control': policies.page, 'Content-Type': 'application/rss+xml; charset=utf-8', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    expect(rules.get('/tags/:slug/feed.xml')).toEqual(rules.get('/feed.xml'));
    expect(rules.get('/images/*')!['Cross-Origin-Resource-Policy']).toBe('cross-origin');
    // Whatever rule a URL falls under, the headers add up to what the app sends for it.
    for (const url of ['/', '/articles/alpha/', '/page/2/', '/tags/niger/', '/authors/bo-reporter/', '/feed.xml', '/images/photo.png', '/about/']) {
      const res = await served(server.app, url);
      const pattern = [...rules.keys()].find((p) => p !== '/*' && new RegExp(`^${p.replace(/:[a-z]+/g, '[^/]+').replace(/\*$/, '.*')}$`).test(url));
      const expected = { ...all, ...rules.get(pattern!) };
      for (const [name, value] of Object.entries(expected)) expect(res.headers[name.toLowerCase()], `${url} ${name}`).toBe(value);
    }
    const nginx = readFileSync(path.join(f.outDir, 'headers.nginx.conf'), 'utf8');
    expect(nginx).toContain(`add_header Content-Security-Policy "${security['Content-Security-Policy']}" always;`);
    expect(nginx).toContain(`location ^~ /assets/ {\n    set $newsroom_cache_control "${policies.asset}";\n`);
    expect(nginx).toContain('location ~ "^/tags/[^/]+/feed\\.xml$" {');
  });

  it('re-run: rewrites only files whose bytes changed, deletes pages that are gone, keeps files it did not write', async () => {
    const g = fixture();
    try {
      await run(g);
      const before = new Map(files(g.outDir).map((x) => [x, readFileSync(path.join(g.outDir, x))]));
      const old = new Date('2001-01-01T00:00:00Z');
      for (const x of before.keys()) utimesSync(path.join(g.outDir, x), old, old);
      writeFileSync(path.join(g.outDir, 'CNAME'), 'news.example\n');
      mkdirSync(path.join(g.outDir, 'articles/epsilon/extra'));
      writeFileSync(path.join(g.outDir, 'articles/epsilon/extra/keep.txt'), 'mine');

      const same = await run(g);
      expect(same.written).toBe(0);
      expect(same.deleted).toBe(0);
      expect(same.unchanged).toBe(same.files);

      writeFileSync(path.join(g.contentDir, 'delta.md'), article('Delta', '2025-05-29', 'author: Bo Reporter', 'Delta, corrected text.'));
      rmSync(path.join(g.contentDir, 'epsilon.md'));
      const next = await run(g);
      const after = new Map(files(g.outDir).map((x) => [x, readFileSync(path.join(g.outDir, x))]));
      const ours = [...after.keys()].filter((x) => x !== 'CNAME' && !x.endsWith('keep.txt'));
      const touched = ours.filter((x) => statSync(path.join(g.outDir, x)).mtime.getTime() !== old.getTime());
      const changed = ours.filter((x) => !before.get(x)?.equals(after.get(x)!));
      expect(touched.sort()).toEqual(changed.sort());
      expect(changed).toContain('articles/delta/index.html');
      expect(changed).not.toContain('about/index.html');
      expect(next.written).toBe(changed.length - 1); // the manifest is not counted
      expect(readFileSync(path.join(g.outDir, 'articles/delta/index.html'), 'utf8')).toContain('Delta, corrected text.');

      const gone = [...before.keys()].filter((x) => !after.has(x));
      expect(gone.sort()).toEqual(['articles/epsilon/index.html', 'articles/epsilon/index.html.br', 'articles/epsilon/index.html.gz', 'page/3/index.html', 'page/3/index.html.br', 'page/3/index.html.gz']);
      expect(next.deleted).toBe(gone.length);
      expect(readFileSync(path.join(g.outDir, 'CNAME'), 'utf8')).toBe('news.example\n');
      expect(readFileSync(path.join(g.outDir, 'articles/epsilon/extra/keep.txt'), 'utf8')).toBe('mine');
      expect(existsSync(path.join(g.outDir, 'page/3'))).toBe(false);

      // Without precompression the siblings an earlier run wrote are stale: they go.
      const plain = await run(g, { precompress: false });
      expect(files(g.outDir).filter((x) => /\.(gz|br)$/.test(x))).toEqual([]);
      expect(plain.deleted).toBeGreaterThan(20);
    } finally {
      removeDir(g.root);
    }
  }, 120_000);

  it('finishes when there are more threads than work: a worker with nothing left ends early without failing it', async () => {
    const g = fixture();
    try {
      const one = await run(g, { precompress: false });
      const rerun = fixture();
      try {
        const many = await run(rerun, { precompress: false, threads: 8 });
        expect(many.threads).toBe(8);
        expect(many.files).toBe(one.files);
        expect(files(rerun.outDir)).toEqual(files(g.outDir));
      } finally {
        removeDir(rerun.root);
      }
    } finally {
      removeDir(g.root);
    }
  }, 120_000);

  it('refuses to run without SITE_URL (exit 2, with a message), or into a folder holding other files', async () => {
    const g = fixture();
    try {
      const { SITE_URL: _unset, ...noUrl } = g.env;
      await expect(exportSite({ outDir: g.outDir, env: noUrl, cwd: g.root })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('SITE_URL is not set') });
      const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/export.ts'), g.outDir], {
        cwd: REPO,
        env: { PATH: process.env.PATH, CONTENT_DIR: g.contentDir, PUBLIC_DIR: g.publicDir },
        encoding: 'utf8',
      });
      expect(cli.status).toBe(2);
      expect(cli.stderr).toContain('SITE_URL is not set');
      expect(existsSync(g.outDir)).toBe(false);

      mkdirSync(g.outDir);
      writeFileSync(path.join(g.outDir, 'index.html'), 'not ours');
      const refused = run(g);
      await expect(refused).rejects.toBeInstanceOf(ExportError);
      await expect(refused).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--force') });
      await expect(exportSite({ outDir: g.publicDir, env: g.env, cwd: g.root, force: true })).rejects.toMatchObject({ exitCode: 2 });
      const forced = await run(g, { force: true, precompress: false });
      expect(forced.written).toBe(forced.files);
      expect(readFileSync(path.join(g.outDir, 'index.html'), 'utf8')).toContain('<h1');
    } finally {
      removeDir(g.root);
    }
  }, 120_000);
});

describe('bundledIfCurrent', () => {
  it('picks the bundled worker only when it is not older than the compiled one', () => {
    const dir = tempDir('newsroom-bundle-');
    try {
      const script = path.join(dir, 'exportWorker.js');
      const bundle = path.join(dir, 'exportWorker.bundle.js');
      writeFileSync(script, '');
      const [scriptUrl, bundleUrl] = [pathToFileURL(script), pathToFileURL(bundle)];
      expect(bundledIfCurrent(scriptUrl, bundleUrl)).toBe(scriptUrl);
      writeFileSync(bundle, '');
      utimesSync(script, 1000, 1000);
      utimesSync(bundle, 2000, 2000);
      expect(bundledIfCurrent(scriptUrl, bundleUrl)).toBe(bundleUrl);
      utimesSync(script, 3000, 3000);
      expect(bundledIfCurrent(scriptUrl, bundleUrl)).toBe(scriptUrl);
    } finally {
      removeDir(dir);
    }
  });
});

describe('export paths', () => {
  it('maps URLs to files, and refuses any that could leave the folder', () => {
    expect(outputFile('/')).toBe('index.html');
    expect(outputFile('/articles/a-b/')).toBe('articles/a-b/index.html');
    expect(outputFile('/tags/x/feed.xml')).toBe('tags/x/feed.xml');
    for (const bad of ['articles/x/', '/../x/', '/a/../../x', '/a//b/', '/a\\b', '/a/./b']) expect(outputFile(bad), bad).toBeUndefined();
    expect(aliasFile('/2024/03/old-story')).toBe('2024/03/old-story/index.html');
    expect(aliasFile('/old.html')).toBe('old.html');
    expect(aliasFile('/caf%C3%A9')).toBe('café/index.html');
    expect(aliasFile('/%E0%A4%A')).toBeUndefined();
  });

  it('groups URLs under _headers patterns that match as Netlify and Cloudflare Pages match them', () => {
    expect(patternOf('/articles/a/', 'article')).toBe('/articles/:slug/');
    expect(patternOf('/tags/a/page/2/', 'listing')).toBe('/tags/:slug/page/:n/');
    expect(patternOf('/tags/a/feed.xml', 'document')).toBe('/tags/:slug/feed.xml');
    expect(patternOf('/images/gen/a.png', 'public')).toBe('/images/*');
    expect(patternOf('/about/', 'page')).toBe('/about/');
    const cases: [string, string, boolean][] = [
      ['/articles/:slug/', '/articles/x/', true],
      ['/articles/:slug/', '/articles/x', true],
      ['/articles/:slug/', '/articles/x/y/', false],
      ['/assets/*', '/assets/a.css', true],
      ['/assets/*', '/assetsx/a', false],
      ['/', '/', true],
      ['/', '/a/', false],
      ['/feed.xml', '/feedxxml', false],
    ];
    for (const [pattern, url, expected] of cases) expect(patternMatches(pattern, url), `${pattern} ${url}`).toBe(expected);
  });

  it('finds the parts of a sitemap index (and only this site’s plain file names)', () => {
    const index = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sitemap-1.xml</loc></sitemap>
<sitemap><loc>https://news.example/sitemap-2.xml</loc></sitemap>
<sitemap><loc>https://elsewhere.example/sitemap-3.xml</loc></sitemap>
<sitemap><loc>https://news.example/../sitemap-4.xml</loc></sitemap>
</sitemapindex>
`;
    expect(sitemapParts(index, 'https://news.example')).toEqual(['/sitemap-1.xml', '/sitemap-2.xml']);
    expect(sitemapParts('<urlset><url><loc>https://news.example/x.xml</loc></url></urlset>', 'https://news.example')).toEqual([]);
  });
});
