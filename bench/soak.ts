// npm run soak [-- --duration 300 --warmup 30 --concurrency 10 --articles 500]
//
// Runs the real server (a child process, NODE_ENV=production) on a loopback port against a generated
// corpus, drives it at a fixed concurrency for a bounded time while a writer adds, edits and deletes an
// article every 200 ms, and reports: total requests, unexpected statuses (must be 0; a 404 for an article
// the writer has deleted is expected), and the server's RSS after the warm-up and at the end (growth must
// stay under 20%). Exits 1 when either check fails. Traffic goes to 127.0.0.1 only.

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './gen.js';
import { slugify } from '../src/slug.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

const DURATION_S = flag('duration', 300);
const WARMUP_S = flag('warmup', 30);
const CONCURRENCY = flag('concurrency', 10);
const ARTICLES = flag('articles', 500);
const WRITE_EVERY_MS = flag('write-every', 200);
/** Upper bound on requests, so that a very fast machine still stops (the time bound comes first in practice). */
const MAX_REQUESTS = 50_000_000;
const CHURN_SLOTS = 5;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const mb = (n: number): string => `${(n / 1_048_576).toFixed(1)} MB`;

/** A free loopback port: bind port 0, read it, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(contentDir: string, publicDir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', CONTENT_DIR: contentDir, PUBLIC_DIR: publicDir, SITE_URL: 'https://soak.example', LOG_LEVEL: 'info', WEB_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[server] ${d}`));
  // The server logs one JSON line per request (as in production); they are read and counted, not kept.
  let logLines = 0;
  child.stdout!.on('data', (d: Buffer) => {
    for (const b of d) if (b === 10) logLines++;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('server not ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  Object.defineProperty(child, 'logLines', { get: () => logLines });
  return { child, port };
}

function articleFile(slot: number, version: number): string {
  return `---\ntitle: Soak article ${slot} version ${version}\ndate: 2024-01-0${(slot % 9) + 1}\nauthor: Soak Writer\ntags: [soak]\n---\n\nVersion ${version} of churn article ${slot}. ${'Text to read. '.repeat(50)}\n`;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'newsroom-soak-'));
  const contentDir = path.join(tmp, 'content');
  const publicDir = path.join(tmp, 'public');
  cpSync(path.join(ROOT, 'public'), publicDir, { recursive: true });
  await generateCorpus(ARTICLES, contentDir, 7, { publicDir });
  const slugs = readdirSync(contentDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3));
  const tags = new Set<string>();
  const authors = new Set<string>();
  for (const s of slugs.slice(0, 100)) {
    const text = readFileSync(path.join(contentDir, `${s}.md`), 'utf8');
    const t = /tags:\s*\[([^\]]*)\]/.exec(text)?.[1]?.split(',')[0]?.trim().replace(/^["']|["']$/g, '');
    if (t) tags.add(slugify(t));
    const a = /author:\s*"?([^"\n\]]+)/.exec(text)?.[1]?.replace(/^\[/, '').split(',')[0]?.trim();
    if (a) authors.add(slugify(a));
  }

  console.log(`soak: ${ARTICLES} articles in ${contentDir}; warm-up ${WARMUP_S} s, then ${DURATION_S} s at concurrency ${CONCURRENCY}; writer every ${WRITE_EVERY_MS} ms`);
  const { child, port } = await startServer(contentDir, publicDir);
  console.log(`soak: server pid ${child.pid} on 127.0.0.1:${port}`);

  // Discover the hashed stylesheet URL from the home page.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (p: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: p, agent, headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
        res.on('error', reject);
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`timeout on ${p}`)));
      req.on('error', reject);
    });
  const home = await get('/');
  const css = /href="(\/assets\/[^"]+\.css)"/.exec(home.body)?.[1] ?? '/style.css';
  const feed = (await get('/feed.xml')).status === 200 ? ['/feed.xml'] : [];

  const stable = ['/', '/page/2/', css, '/healthz', '/favicon.svg', ...feed, ...slugs.slice(0, 200).map((s) => `/articles/${s}/`), ...[...tags].map((t) => `/tags/${t}/`), ...[...authors].map((a) => `/authors/${a}/`)];
  const stableOk = new Set<string>();
  for (const p of stable) if ((await get(p)).status === 200) stableOk.add(p);
  const missing = stable.filter((p) => !stableOk.has(p));
  if (missing.length) console.log(`soak: ${missing.length} discovered paths are not 200 before the run and are left out: ${missing.slice(0, 5).join(', ')}`);
  const stablePaths = [...stableOk];
  const churnPaths = Array.from({ length: CHURN_SLOTS }, (_, i) => `/articles/soak-churn-${i}/`);

  let phase: 'warmup' | 'run' | 'stop' = 'warmup';
  const counts = { total: 0, warmup: 0, unexpected: 0, churn404: 0, errors: 0 };
  const byStatus = new Map<number, number>();
  const unexpectedSamples: string[] = [];

  // Writer: each tick moves one slot through created -> edited -> deleted.
  let tick = 0;
  const versions = new Array<number>(CHURN_SLOTS).fill(0);
  const writer = setInterval(() => {
    const slot = tick % CHURN_SLOTS;
    const step = Math.floor(tick / CHURN_SLOTS) % 3;
    const file = path.join(contentDir, `soak-churn-${slot}.md`);
    try {
      if (step === 2) unlinkSync(file);
      else writeFileSync(file, articleFile(slot, ++versions[slot]!));
    } catch (err) {
      console.error(`soak: writer failed: ${(err as Error).message}`);
    }
    tick++;
  }, WRITE_EVERY_MS);

  let i = 0;
  const worker = async (): Promise<void> => {
    while (phase !== 'stop' && counts.total < MAX_REQUESTS) {
      const n = i++;
      const churn = n % 10 === 0;
      const p = churn ? churnPaths[n % CHURN_SLOTS]! : n % 50 === 1 ? '/no-such-page/' : stablePaths[n % stablePaths.length]!;
      const measuring = phase === 'run';
      try {
        const { status } = await get(p);
        if (!measuring) {
          counts.warmup++;
          continue;
        }
        counts.total++;
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        const expected = churn ? status === 200 || status === 404 : p === '/no-such-page/' ? status === 404 : status === 200;
        if (churn && status === 404) counts.churn404++;
        if (!expected) {
          counts.unexpected++;
          if (unexpectedSamples.length < 10) unexpectedSamples.push(`${status} ${p}`);
        }
      } catch (err) {
        if (!measuring) continue;
        counts.total++;
        counts.errors++;
        counts.unexpected++;
        if (unexpectedSamples.length < 10) unexpectedSamples.push(`error ${p}: ${(err as Error).message}`);
      }
    }
  };
  const started = Date.now();
  const workers = Array.from({ length: CONCURRENCY }, worker);
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const rssAfterWarmup = rssOf(child.pid!);
  phase = 'run';
  const runStart = Date.now();
  const progress = setInterval(() => {
    console.log(`soak: ${Math.round((Date.now() - runStart) / 1000)} s, ${counts.total} requests, ${counts.unexpected} unexpected, RSS ${mb(rssOf(child.pid!))}`);
  }, 30_000);
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  const rssEnd = rssOf(child.pid!);
  phase = 'stop';
  clearInterval(progress);
  clearInterval(writer);
  await Promise.all(workers);
  const runSeconds = (Date.now() - runStart) / 1000;
  agent.destroy();

  // Graceful shutdown as an operator would do it.
  const exitCode = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
  rmSync(tmp, { recursive: true, force: true });

  const growth = rssAfterWarmup > 0 ? (rssEnd - rssAfterWarmup) / rssAfterWarmup : 0;
  const report = {
    durationSeconds: Math.round(runSeconds),
    totalSeconds: Math.round((Date.now() - started) / 1000),
    concurrency: CONCURRENCY,
    totalRequests: counts.total,
    requestsPerSecond: Math.round(counts.total / runSeconds),
    warmupRequests: counts.warmup,
    unexpected: counts.unexpected,
    errors: counts.errors,
    deletedArticle404s: counts.churn404,
    statuses: Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])),
    writerTicks: tick,
    rssAfterWarmup: mb(rssAfterWarmup),
    rssEnd: mb(rssEnd),
    rssGrowthPercent: Math.round(growth * 1000) / 10,
    serverLogLines: (child as ChildProcess & { logLines?: number }).logLines,
    serverExitCode: exitCode,
  };
  console.log(JSON.stringify(report, null, 2));
  if (unexpectedSamples.length) console.log(`unexpected samples:\n  ${unexpectedSamples.join('\n  ')}`);
  const ok = counts.unexpected === 0 && growth < 0.2 && counts.total > 0;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`soak: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
