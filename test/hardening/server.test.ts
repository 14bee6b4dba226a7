// The server process: deliberate timeouts (slowloris is cut off, idle keep-alive connections are not),
// graceful shutdown of a real child process with a slow in-flight download, health endpoints and logs.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { drain, SERVER_TIMEOUTS, serverOptions, type ServerTimeouts } from '../../src/lifecycle.js';
import { createLogger } from '../../src/log.js';
import { openSite } from '../../src/openSite.js';
import { closeSites, makeSite, md, REPO, removeDir, tempDir, writeFiles, type TestSite } from '../helpers/site.js';
import { captureLogger, listen, parseResponse, rawRequest, type Listening } from './raw.js';

// Large enough that the kernel's socket buffers cannot take the whole response at once (the download is
// still in flight when the signal arrives, and the server waits over 2 s for it), small enough to leave
// room under the 10 s shutdown limit on a loaded machine: the slow reader takes about 3 MB/s. At 24 MB the
// server exited 6.5 s after the signal on its own and up to 10.4 s with the whole suite on two cores.
const BIG_BYTES = 12 * 1024 * 1024;
const ARTICLE = md('title: Seed Story\ndate: 2024-03-22\nauthor: Ann Lee', 'The body of the seed story.');

describe('timeouts are set deliberately', () => {
  it('keepAliveTimeout 65 s (above a load balancer’s 60 s), headersTimeout 10 s, requestTimeout 30 s, checked every second', () => {
    expect(SERVER_TIMEOUTS).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 65_000, connectionsCheckingInterval: 1_000, socketTimeout: 120_000 });
    expect(serverOptions()).toEqual({ connectionsCheckingInterval: 1_000, headersTimeout: 10_000, requestTimeout: 30_000 });
    // The slowest a slowloris client can keep a connection: headers deadline plus one checking interval.
    expect(SERVER_TIMEOUTS.headersTimeout + SERVER_TIMEOUTS.connectionsCheckingInterval).toBeLessThanOrEqual(15_000);
    expect(SERVER_TIMEOUTS.keepAliveTimeout).toBeGreaterThan(60_000);
  });
});

describe('slow clients', () => {
  let site: TestSite;
  let srv: Listening;
  beforeAll(async () => {
    site = await makeSite({ 'seed-story.md': ARTICLE });
    srv = await listen(site.app, site.config);
  });
  afterAll(async () => {
    await srv.close();
    closeSites();
  });

  it('configureServer applies the timeouts to the server', () => {
    expect(srv.server.keepAliveTimeout).toBe(65_000);
    expect(srv.server.headersTimeout).toBe(10_000);
    expect(srv.server.requestTimeout).toBe(30_000);
    expect(srv.server.timeout).toBe(120_000);
  });

  it('slowloris: one header byte every 2 s is disconnected within 15 s, with a 408 carrying the security headers', async () => {
    const started = Date.now();
    const socket = net.connect(srv.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: news.example\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('a'), 2_000);
    const closedAfter = await new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    clearInterval(drip);
    expect(closedAfter).toBeLessThanOrEqual(15_000);
    expect(closedAfter).toBeGreaterThanOrEqual(9_000);
    const res = parseResponse(Buffer.concat(chunks).toString('latin1'));
    expect(res.status).toBe(408);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers.connection).toBe('close');
  }, 25_000);
});

describe('timeouts, scaled down to prove how Node applies them', () => {
  const scaled: ServerTimeouts = { headersTimeout: 1_000, requestTimeout: 1_500, keepAliveTimeout: 3_000, connectionsCheckingInterval: 100, socketTimeout: 10_000 };
  let site: TestSite;
  let srv: Listening;
  beforeAll(async () => {
    site = await makeSite({ 'seed-story.md': ARTICLE });
    srv = await listen(site.app, site.config, undefined, scaled);
  });
  afterAll(async () => {
    await srv.close();
    closeSites();
  });

  it('an idle keep-alive connection outlives headersTimeout (only keepAliveTimeout closes it), so headersTimeout can sit below keepAliveTimeout', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    const get = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: srv.port, path: '/healthz', agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
    expect(await get()).toBe(200);
    await new Promise((r) => setTimeout(r, 2_000)); // idle for 2x headersTimeout
    expect(await get()).toBe(200);
    expect(sockets.size).toBe(1); // the same connection served both
    const [socket] = [...sockets];
    const closedAfter = await new Promise<number>((resolve) => {
      const t = Date.now();
      socket!.on('close', () => resolve(Date.now() - t));
    });
    expect(closedAfter).toBeGreaterThan(2_000);
    expect(closedAfter).toBeLessThan(4_500);
    agent.destroy();
  }, 15_000);

  it('request body trickled slower than requestTimeout: the connection is closed by requestTimeout, answers carry the security headers', async () => {
    const socket = net.connect(srv.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    const started = Date.now();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write('a'), 200);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    clearInterval(drip);
    // 100 bytes at 5 a second would take 20 s; requestTimeout (1.5 s here) ends it.
    expect(Date.now() - started).toBeLessThan(4_000);
    const res = parseResponse(Buffer.concat(chunks).toString('latin1'));
    // The app may answer a GET before its (ignored) body arrives; otherwise Node's timeout answers 408.
    expect([200, 408]).toContain(res.status);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  }, 10_000);
});

describe('health endpoints', () => {
  afterEach(closeSites);

  it('/healthz and /readyz: small JSON, no-store; /readyz turns 503 while draining', async () => {
    let draining = false;
    const site = await makeSite({ 'seed-story.md': ARTICLE });
    const app = createApp(site.config, site.store, { loader: site.loader, isDraining: () => draining });
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['cache-control']).toBe('no-store');
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    expect(health.body).toEqual({ status: 'ok' });
    expect(Number(health.headers['content-length'])).toBeLessThan(100);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.body).toEqual({ status: 'ready', articles: 1 });
    draining = true;
    const drainingRes = await request(app).get('/readyz');
    expect(drainingRes.status).toBe(503);
    expect(drainingRes.headers['cache-control']).toBe('no-store');
    expect(drainingRes.body).toEqual({ status: 'draining', articles: 1 });
  });
});

describe('structured JSON logs', () => {
  afterEach(closeSites);

  it('one line per request: method, path (no query), status, duration and request id', async () => {
    const site = await makeSite({ 'seed-story.md': ARTICLE });
    const { logger, lines } = captureLogger('info');
    const app = createApp(site.config, site.store, { loader: site.loader, logger });
    const res = await request(app).get('/articles/seed-story/?utm_source=x');
    await request(app).get('/nope');
    const reqLines = lines.filter((l) => l.msg === 'request');
    expect(reqLines).toHaveLength(2);
    const [first, second] = reqLines as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({ level: 'info', method: 'GET', path: '/articles/seed-story/', status: 200 });
    expect(typeof first.ms).toBe('number');
    expect(typeof first.time).toBe('string');
    expect(first.id).toBe(res.headers['x-request-id']);
    expect(second).toMatchObject({ method: 'GET', path: '/nope', status: 404 });
    expect(second.id).not.toBe(first.id);
  });

  it('a content error is logged with its file and reason', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'content/good.md': ARTICLE, 'content/broken.md': '---\ntitle: x\ndate: 2024-13-45\nauthor: A\n---\n\nBody.\n' });
    const { logger, lines } = captureLogger('warn');
    const site = await openSite(testConfig({ CONTENT_DIR: path.join(dir, 'content'), PUBLIC_DIR: path.join(REPO, 'public') }), { logger });
    site.store.dispose();
    removeDir(dir);
    const err = lines.find((l) => l.file === 'broken.md');
    expect(err).toMatchObject({ level: 'error', file: 'broken.md', line: 3, field: 'date' });
    expect(String(err!.msg)).toContain('broken.md:3:');
    expect(String(err!.msg)).toContain('not a valid date');
  });

  it('quiet in tests: the test config’s logger writes nothing', () => {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger(testConfig(), sink);
    logger.error('should not appear');
    logger.info('nor this');
    expect(testConfig().logLevel).toBe('silent');
    expect(out).toEqual([]);
  });
});

// ---- Graceful shutdown of a real server process.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Child {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startChild(dir: string): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/server.ts')], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', CONTENT_DIR: path.join(dir, 'content'), PUBLIC_DIR: path.join(dir, 'public'), SITE_URL: 'https://news.example', LOG_LEVEL: 'info', WEB_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  proc.stdout!.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) if (p.trim()) logs.push(JSON.parse(p) as Record<string, unknown>);
  });
  proc.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, port, logs, exited };
}

/** A download that the client reads slowly (256 KiB every 20 ms, so about 2 s for the file), then a pipelined /readyz on the same connection. */
function slowDownload(port: number): { socket: net.Socket; done: Promise<{ bodyBytes: number; raw: string }> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.write('GET /images/big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const chunks: Buffer[] = [];
  socket.on('error', () => undefined);
  socket.pause();
  const pump = setInterval(() => {
    let c: Buffer | null;
    let n = 0;
    while (n < 256 * 1024 && (c = socket.read() as Buffer | null) !== null) {
      chunks.push(c);
      n += c.length;
    }
  }, 20);
  const done = new Promise<{ bodyBytes: number; raw: string }>((resolve) => {
    socket.on('end', () => {
      clearInterval(pump);
      let c: Buffer | null;
      while ((c = socket.read() as Buffer | null) !== null) chunks.push(c);
      const all = Buffer.concat(chunks);
      resolve({ bodyBytes: all.length, raw: all.subarray(all.length - 2000).toString('latin1') });
    });
    socket.on('close', () => {
      clearInterval(pump);
      resolve({ bodyBytes: Buffer.concat(chunks).length, raw: '' });
    });
  });
  socket.on('readable', () => undefined);
  return { socket, done };
}

describe('graceful shutdown of the real server process', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    cpSync(path.join(REPO, 'public'), path.join(dir, 'public'), { recursive: true });
    writeFiles(dir, { 'content/seed-story.md': ARTICLE, 'public/images/big.bin': randomBytes(BIG_BYTES) });
  });
  afterAll(() => removeDir(dir));

  it('SIGTERM: readiness 503, the in-flight slow download finishes, idle keep-alive connections close, exit 0 within 10 s', async () => {
    const child = await startChild(dir);
    try {
      // An idle keep-alive connection.
      const idle = net.connect(child.port, '127.0.0.1');
      idle.on('error', () => undefined);
      idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => idle.once('data', r));
      const idleClosed = new Promise<number>((resolve) => idle.on('close', () => resolve(Date.now())));

      // A readiness probe whose request is half sent when the signal arrives: it is in flight, not idle.
      const probe = net.connect(child.port, '127.0.0.1');
      probe.on('error', () => undefined);
      probe.write('GET /readyz HTTP/1.1\r\nHost: x\r\n');
      const probeChunks: Buffer[] = [];
      probe.on('data', (c: Buffer) => probeChunks.push(c));
      const probeDone = new Promise<void>((resolve) => probe.on('close', () => resolve()));

      const dl = slowDownload(child.port);
      await new Promise((r) => setTimeout(r, 300)); // the download is under way
      const signalled = Date.now();
      child.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 150));
      probe.write('Connection: close\r\n\r\n');
      await probeDone;
      const readiness = parseResponse(Buffer.concat(probeChunks).toString('latin1'));
      expect(readiness.status).toBe(503);
      expect(JSON.parse(readiness.body)).toEqual({ status: 'draining', articles: 1 });

      expect((await idleClosed) - signalled).toBeLessThan(2_000);
      // New connections are refused once the listening socket is closed.
      await new Promise((r) => setTimeout(r, 200));
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(child.port, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);

      const { bodyBytes, raw } = await dl.done;
      // The whole file arrived, then the pipelined request (parsed, so answered, before the signal).
      expect(bodyBytes).toBeGreaterThan(BIG_BYTES);
      expect(raw).toContain('"status":"ready"');
      const exit = await child.exited;
      expect(exit.code).toBe(0);
      expect(exit.at - signalled).toBeLessThan(10_000);
      // The download took a while: the process really waited for it.
      expect(exit.at - signalled).toBeGreaterThan(500);
      const msgs = child.logs.map((l) => l.msg);
      expect(msgs).toContain('shutting down: finishing in-flight requests');
      expect(child.logs.find((l) => l.msg === 'shut down')).toMatchObject({ how: 'drained' });
      expect(child.logs.find((l) => l.msg === 'request' && l.path === '/images/big.bin')).toMatchObject({ status: 200 });
    } finally {
      child.proc.kill('SIGKILL');
    }
  }, 40_000);

  it('a second signal exits at once, without waiting for the in-flight download', async () => {
    const child = await startChild(dir);
    try {
      const dl = slowDownload(child.port);
      await new Promise((r) => setTimeout(r, 300));
      child.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const second = Date.now();
      child.proc.kill('SIGINT');
      const exit = await child.exited;
      expect(exit.code).toBe(1);
      expect(exit.at - second).toBeLessThan(1_500);
      const { bodyBytes } = await dl.done;
      expect(bodyBytes).toBeLessThan(BIG_BYTES);
      expect(child.logs.map((l) => l.msg)).toContain('second signal: exiting now');
    } finally {
      child.proc.kill('SIGKILL');
    }
  }, 40_000);
});

describe('shutdown deadline', () => {
  afterEach(closeSites);

  it('a client that never reads is cut at the deadline, so shutdown always ends', async () => {
    // Twice the size of the signal tests' file: a client that never reads must not be able to take it all
    // into the kernel's socket buffers, however large they are tuned.
    const site = await makeSite({ 'seed-story.md': ARTICLE }, { publicFiles: { 'images/big.bin': randomBytes(2 * BIG_BYTES) } });
    const srv = await listen(site.app, site.config);
    const socket = net.connect(srv.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause(); // never reads
    socket.write('GET /images/big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    const how = await drain({ server: srv.server, close: () => new Promise<void>((resolve) => srv.server.close(() => resolve())) }, undefined, { deadlineMs: 700 });
    expect(how).toBe('forced');
    expect(Date.now() - t).toBeLessThan(3_000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(650);
    socket.destroy();
  });

  it('with nothing in flight, drain finishes at once', async () => {
    const site = await makeSite({ 'seed-story.md': ARTICLE });
    const srv = await listen(site.app, site.config);
    const keep = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(keep.status).toBe(200);
    const t = Date.now();
    const how = await drain({ server: srv.server, close: () => new Promise<void>((resolve) => srv.server.close(() => resolve())) }, undefined, { deadlineMs: 5_000 });
    expect(how).toBe('drained');
    expect(Date.now() - t).toBeLessThan(1_000);
  });
});
