// deploy/nginx.conf and deploy/nginx-static.conf with the real nginx: two site instances sharing one
// content folder behind nginx's cache, and the static export served as files. Everything listens on
// 127.0.0.1 only. Run with `npm run test:deploy` (nginx must be installed: apt-get install -y nginx).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/gen.js';
import { md, REPO, removeDir, tempDir, writeFiles } from '../helpers/site.js';

const SITE_URL = 'https://news.example';
const BREAKING = 'breaking-story-on-the-harbour';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${urlPath} on ${port} timed out`)));
    req.on('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles src/ into dist/ when dist/server.js is missing or older than src/, as `npm start` does. */
function buildIfNeeded(): void {
  const entry = path.join(REPO, 'dist', 'server.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(path.join(REPO, 'src'))) return;
  spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.build.json')], { cwd: REPO, encoding: 'utf8' });
  if (!existsSync(entry)) throw new Error('npm run build did not produce dist/server.js');
}

/** deploy/*.conf with its placeholders replaced; a line holding {{UPSTREAM}} is repeated per instance. */
function render(template: string, values: Record<string, string>, upstreams: readonly string[] = []): string {
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    if (line.includes('{{UPSTREAM}}')) for (const u of upstreams) lines.push(line.replace('{{UPSTREAM}}', u));
    else lines.push(line);
  }
  const out = lines.join('\n').replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => {
    if (values[k] === undefined) throw new Error(`no value for ${m}`);
    return values[k];
  });
  return out;
}

interface Instance {
  readonly port: number;
  readonly child: ChildProcess;
}

describe('several instances behind nginx, and the static export served by nginx', () => {
  let root = '';
  let contentDir = '';
  let exportDir = '';
  let nginx: ChildProcess | undefined;
  let nginxPort = 0;
  let staticPort = 0;
  const instances: Instance[] = [];
  const errorLog = (): string => (existsSync(path.join(root, 'nginx', 'error.log')) ? readFileSync(path.join(root, 'nginx', 'error.log'), 'utf8') : '');

  const startInstance = async (env: Record<string, string>): Promise<Instance> => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'server.js')], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(`instance on ${port} ready`, 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`instance exited ${child.exitCode}: ${stderr}`);
      return (await get(port, '/readyz')).status === 200 ? true : undefined;
    });
    return { port, child };
  };

  const stopInstance = async (i: Instance): Promise<void> => {
    if (i.child.exitCode !== null || i.child.signalCode !== null) return;
    const exited = new Promise((r) => i.child.once('exit', r));
    i.child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
    if (probe.error) throw new Error('nginx is not installed: apt-get install -y nginx (the deploy suite runs the real nginx)');
    buildIfNeeded();

    root = tempDir('newsroom-deploy-');
    contentDir = path.join(root, 'content');
    const publicDir = path.join(root, 'public');
    cpSync(path.join(REPO, 'content'), contentDir, { recursive: true });
    cpSync(path.join(REPO, 'public'), publicDir, { recursive: true });
    await generateCorpus(24, path.join(contentDir, 'gen'), 7, { publicDir });
    writeFiles(contentDir, {
      [`${BREAKING}.md`]: md(`title: Breaking story on the harbour\ndate: 2024-03-23\nauthor: Desk Editor\ntags: [Harbour]\naliases: [/2024/03/harbour-story]`, 'First version of the story.'),
    });
    const env = {
      SITE_URL,
      HOST: '127.0.0.1',
      CONTENT_DIR: contentDir,
      PUBLIC_DIR: publicDir,
      CACHE_MAX_AGE: '2',
      PAGE_SIZE: '10',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'production',
      WEB_CONCURRENCY: '1',
    };
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));

    // The operator's command (`npm run export`), on the build the instances run, with two workers.
    exportDir = path.join(root, 'export');
    const exported = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'export.mjs'), exportDir, '--threads', '2'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
    if (exported.status !== 0) throw new Error(`npm run export failed (${exported.status}):\n${exported.stdout}${exported.stderr}`);
    expect(exported.stdout).toMatch(/^exported [\d,]+ URLs to .* \(2 threads\)/);
    // npm run export starts the export with its Node options (src/export/exportNodeFlags.ts).
    expect(exported.stderr).not.toContain('started without');

    nginxPort = await freePort();
    staticPort = await freePort();
    const conf = path.join(root, 'nginx');
    mkdirSync(conf);
    writeFileSync(
      path.join(conf, 'newsroom.conf'),
      render(
        readFileSync(path.join(REPO, 'deploy', 'nginx.conf'), 'utf8'),
        { PORT: `127.0.0.1:${nginxPort}`, SERVER_NAME: '127.0.0.1', CACHE_DIR: path.join(conf, 'cache'), ERRORS_DIR: path.join(REPO, 'deploy', 'errors') },
        instances.map((i) => `127.0.0.1:${i.port}`),
      ),
    );
    writeFileSync(
      path.join(conf, 'static.conf'),
      render(readFileSync(path.join(REPO, 'deploy', 'nginx-static.conf'), 'utf8'), { PORT: `127.0.0.1:${staticPort}`, SERVER_NAME: '127.0.0.1', ROOT: exportDir }),
    );
    // The main context a distribution's nginx.conf would provide, with every path inside the temp folder.
    const t = (name: string): string => path.join(conf, name);
    writeFileSync(
      t('main.conf'),
      [
        ...(process.getuid?.() === 0 ? ['user root;'] : []), // workers may read the temp folder (mode 0700)
        'worker_processes 1;',
        `error_log ${t('error.log')} warn;`,
        'events { worker_connections 512; }',
        'http {',
        '  types { text/html html; text/css css; text/plain txt; application/xml xml; application/json json; image/svg+xml svg; image/png png; image/jpeg jpg; }',
        '  default_type application/octet-stream;',
        '  access_log off;',
        `  client_body_temp_path ${t('body')}; proxy_temp_path ${t('proxy')}; fastcgi_temp_path ${t('fastcgi')}; uwsgi_temp_path ${t('uwsgi')}; scgi_temp_path ${t('scgi')};`,
        `  include ${t('newsroom.conf')};`,
        `  include ${t('static.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const args = ['-e', t('error.log'), '-p', conf, '-c', t('main.conf'), '-g', `daemon off; pid ${t('nginx.pid')};`];
    const check = spawnSync('nginx', ['-t', ...args], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    nginx = spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    await until('nginx listening', 20_000, async () => ((await get(nginxPort, '/readyz')).status === 200 ? true : undefined));
  }, 240_000);

  afterAll(async () => {
    agent.destroy();
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await Promise.all(instances.map(stopInstance));
    if (root) removeDir(root);
  });

  it('passes pages through with the app’s own headers, and absolute URLs from SITE_URL whatever the Host', async () => {
    const url = `/articles/${BREAKING}/`;
    const direct = await get(instances[0]!.port, url);
    const proxied = await get(nginxPort, url, { Host: 'evil.example' });
    expect(proxied.status).toBe(200);
    expect(proxied.body.equals(direct.body)).toBe(true);
    const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);
    for (const [name, value] of Object.entries(direct.headers)) {
      if (hopByHop.has(name)) continue;
      expect(proxied.headers[name], name).toBe(value);
    }
    expect(proxied.headers['content-security-policy']).toContain("default-src 'none'");
    expect(proxied.headers['cache-control']).toBe('public, max-age=2, stale-while-revalidate=600, stale-if-error=86400');
    const html = proxied.body.toString('utf8');
    expect(html).toContain(`<link rel="canonical" href="${SITE_URL}${url}">`);
    expect(html).not.toContain('evil.example');
  });

  it('answers the second request for a page from its cache (X-Cache-Status: HIT)', async () => {
    const first = await get(nginxPort, '/about/');
    const second = await get(nginxPort, '/about/');
    expect(first.headers['x-cache-status']).toBe('MISS');
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.body.equals(first.body)).toBe(true);
    // Each encoding is cached once, whatever Accept-Encoding string a browser sends.
    const br1 = await get(nginxPort, '/about/', { 'Accept-Encoding': 'gzip, deflate, br' });
    const br2 = await get(nginxPort, '/about/', { 'Accept-Encoding': 'br;q=1.0, gzip;q=0.8' });
    expect(br1.headers['content-encoding']).toBe('br');
    expect(br2.headers['x-cache-status']).toBe('HIT');
  });

  it('serves the static export from files with the same bodies as the server for every page type', async () => {
    const server = instances[0]!.port;
    const home = (await get(server, '/')).body.toString('utf8');
    const story = (await get(server, `/articles/${BREAKING}/`)).body.toString('utf8');
    const tag = /href="(\/tags\/[a-z0-9-]+\/)"/.exec(story)![1]!;
    const author = /href="(\/authors\/[a-z0-9-]+\/)"/.exec(story)![1]!;
    const css = /href="(\/assets\/style\.[0-9a-f]+\.css)"/.exec(home)![1]!;
    const urls = ['/', '/page/2/', `/articles/${BREAKING}/`, '/articles/us-quietly-trying-to-keep-troops-in-african-country-that-wants-to-kick-them-out/', '/about/', tag, author, `${tag}feed.xml`, '/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/news-sitemap.xml', '/robots.txt', css, '/favicon.svg', '/.well-known/security.txt'];
    for (const url of urls) {
      const fromServer = await get(server, url);
      const fromFiles = await get(staticPort, url);
      expect(fromServer.status, url).toBe(200);
      expect(fromFiles.status, url).toBe(200);
      expect(fromFiles.body.equals(fromServer.body), `${url}: the exported file differs from the server's body`).toBe(true);
      expect(fromFiles.headers['content-security-policy'], url).toBe(fromServer.headers['content-security-policy']);
      expect(fromFiles.headers['cache-control'], url).toBe(fromServer.headers['cache-control']);
    }
    expect((await get(staticPort, '/feed.xml')).headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const gz = await get(staticPort, '/', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');

    const missing = await get(staticPort, '/articles/no-such-story/');
    const missingOnServer = await get(server, '/articles/no-such-story/');
    expect(missing.status).toBe(404);
    expect(missing.body.equals(missingOnServer.body)).toBe(true);
    expect(missing.headers['cache-control']).toBe('no-store');

    for (const old of ['/2024/03/harbour-story', '/2024/03/harbour-story/']) {
      const r = await get(staticPort, old);
      expect(r.status, old).toBe(301);
      expect(new URL(r.headers.location!, 'http://x').pathname).toBe(`/articles/${BREAKING}/`);
      expect((await get(server, old)).headers.location).toBe(`/articles/${BREAKING}/`);
    }
    // Hosts without redirect rules get the HTML page at the old address.
    expect(readFileSync(path.join(exportDir, '2024/03/harbour-story/index.html'), 'utf8')).toContain(`<meta http-equiv="refresh" content="0; url=/articles/${BREAKING}/">`);
    expect((await get(staticPort, '/_headers')).status).toBe(404);
  });

  it('serves an edited article with its new text within 2 s (CACHE_MAX_AGE) + 3 s', async () => {
    const url = `/articles/${BREAKING}/`;
    await get(nginxPort, url);
    expect((await get(nginxPort, url)).body.toString('utf8')).toContain('First version of the story.');
    const file = path.join(contentDir, `${BREAKING}.md`);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, readFileSync(file, 'utf8').replace('First version of the story.', 'Second version, with the harbour master’s statement.'));
    const edited = Date.now();
    renameSync(tmp, file);
    const elapsed = await until('new text through nginx', 5_000, async () => {
      const r = await get(nginxPort, url);
      return r.status === 200 && r.body.toString('utf8').includes('Second version') ? Date.now() - edited : undefined;
    });
    expect(elapsed).toBeLessThanOrEqual(5_000);
  });

  it('with one instance killed, a burst of 500 requests at concurrency 20 gets no 5xx', async () => {
    await stopInstance(instances[1]!);
    const statuses = new Map<number, number>();
    let next = 0;
    const paths = ['/', `/articles/${BREAKING}/`, '/about/', '/feed.xml', '/page/2/'];
    const worker = async (): Promise<void> => {
      while (next < 500) {
        const i = next++;
        // A query string the cache has never seen: every request goes to an instance.
        const r = await get(nginxPort, `${paths[i % paths.length]}?burst=${i}`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(500);
    expect(Object.fromEntries(statuses)).toEqual({ 200: 500 });
    expect(errorLog()).toMatch(/connect\(\) failed \(111: Connection refused\)/);
  });

  it('with both instances down, serves cached pages stale and the 502/503 page for the rest', async () => {
    // Cached while the surviving instance is up, then taken down.
    const cached = await get(nginxPort, '/feed.json');
    expect(cached.status).toBe(200);
    await stopInstance(instances[0]!);
    // nginx counts cache lifetimes in whole seconds: once the 2 s entry has expired, it is served stale.
    const stale = await until('the cached copy served stale', 5_000, async () => {
      const r = await get(nginxPort, '/feed.json');
      expect(r.status).toBe(200);
      return r.headers['x-cache-status'] === 'HIT' ? undefined : r;
    });
    expect(['STALE', 'UPDATING']).toContain(stale.headers['x-cache-status']);
    expect(stale.body.equals(cached.body)).toBe(true);

    const uncached = await get(nginxPort, '/authors/desk-editor/');
    expect([502, 503]).toContain(uncached.status);
    const page = uncached.body.toString('utf8');
    expect(page).toContain('<title>Temporarily unavailable – Newsroom</title>');
    expect(page).toContain('<link rel="stylesheet" href="/_errors/50x.css">');
    expect(page).not.toMatch(/<script|style=/);
    expect(uncached.headers['cache-control']).toBe('no-store');
    expect(uncached.headers['content-security-policy']).toContain("style-src 'self'");
    const css = await get(nginxPort, '/_errors/50x.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css');
  });
});
