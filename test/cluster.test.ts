// WEB_CONCURRENCY: the real entry point (node --import tsx src/server.ts) with 2 workers on a loopback
// port. Two different processes answer; a worker killed from outside is replaced; SIGTERM makes the primary
// wait for its workers and exit 0 within 10 s.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { md, REPO, removeDir, tempDir, writeFiles } from './helpers/site.js';

const running = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(() => {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
  for (const d of dirs.splice(0)) removeDir(d);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Cluster {
  readonly proc: ChildProcess;
  readonly base: string;
  /** JSON log lines the primary and workers wrote so far. */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

async function startCluster(workers: number): Promise<Cluster> {
  const root = tempDir('newsroom-cluster-');
  dirs.push(root);
  writeFiles(root, { 'content/only-story.md': md('title: Only story\ndate: 2024-03-22\nauthor: Ana Ruiz', 'The only story.') });
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      WEB_CONCURRENCY: String(workers),
      PORT: String(port),
      HOST: '127.0.0.1',
      CONTENT_DIR: path.join(root, 'content'),
      SITE_URL: 'https://news.example',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info', // request ids (X-Request-Id) and the primary's "worker started" lines
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const l of parts) {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  proc.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  await until(async () => (await get(`${base}/readyz`))?.status === 200, 60_000);
  return { proc, base, lines, exited };
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One GET on a fresh connection, bounded in time. A connection the primary hands to a worker at the moment
 * it is killed is lost with it (the kernel had accepted it), so a failure here is retried, not fatal.
 */
async function get(url: string): Promise<Response | undefined> {
  try {
    const res = await fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res;
  } catch {
    return undefined;
  }
}

/** The process part of X-Request-Id (a random prefix chosen once per process) of up to `n` fresh connections. */
async function answeringProcesses(base: string, n: number, enough = 2): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n && seen.size < enough; i++) {
    const res = await get(`${base}/articles/only-story/`);
    if (res?.status !== 200) continue;
    seen.add(res.headers.get('x-request-id')!.split('-')[0]!);
  }
  return seen;
}

const workerPids = (c: Cluster): number[] => c.lines.filter((l) => l.msg === 'worker started').map((l) => l.worker as number);

describe('WEB_CONCURRENCY=2', () => {
  it('serves from two worker processes and exits 0 within 10 s of SIGTERM', async () => {
    const c = await startCluster(2);
    expect(workerPids(c)).toHaveLength(2);
    expect(new Set(workerPids(c)).size).toBe(2);
    expect((await answeringProcesses(c.base, 200)).size).toBe(2);

    const t = Date.now();
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
    for (const pid of workerPids(c)) expect(() => process.kill(pid, 0)).toThrow();
  }, 150_000);

  it('replaces a worker that dies unexpectedly, and keeps serving meanwhile', async () => {
    const c = await startCluster(2);
    const [victim, survivor] = workerPids(c);
    process.kill(victim!, 'SIGKILL');
    // The other worker answers while the replacement starts.
    await until(async () => (await get(`${c.base}/readyz`))?.status === 200, 30_000);
    await until(() => workerPids(c).length === 3, 30_000);
    const replacement = workerPids(c)[2]!;
    expect([victim, survivor]).not.toContain(replacement);
    expect(c.lines.some((l) => l.msg === 'worker died unexpectedly: restarting it')).toBe(true);
    await until(async () => (await answeringProcesses(c.base, 50)).size === 2, 30_000);

    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  }, 150_000);

  it('exits 0 on SIGTERM while a replacement worker is still starting', async () => {
    const c = await startCluster(2);
    process.kill(workerPids(c)[0]!, 'SIGKILL');
    await until(() => workerPids(c).length === 3, 30_000);
    // The replacement is loading its content now: it has nothing to drain and must not hold up the exit.
    const t = Date.now();
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
  }, 150_000);
});
