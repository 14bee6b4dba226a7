// npm run bench [-- --articles N] [--quick] [--duration S] [--warmup S] [--connections C] [--rounds N] [--no-log-compare] [--keep]
//
// Builds, generates a corpus (default 10,000 articles) in a temporary folder, starts the real site
// (node dist/server.js, NODE_ENV=production, LOG_LEVEL=info with stdout discarded) and, in the same run, a
// bare node:http server and a plain Express 5 route sending a constant Buffer of the article page's size.
// Each is driven with `wrk -t1 -c50 -d10s` (autocannon when wrk is missing) after a warm-up. Prints req/s,
// p50 and p99 with ratios to the bare node:http figure, start-up time, first-request times, RSS, and how long
// an edit and a new article take to show. Exits non-zero only when something fails to run: a missed target
// is printed as MISS.

import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED, generateCorpus } from './gen.js';
import { hasWrk, load, type LoadResult } from './lib/load.js';
import { freePort, pollUntil, rssMb, startProcess, waitForPort, type Started } from './lib/processes.js';
import { formatTable, verdict, type Target } from './lib/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  articles: number;
  seconds: number;
  warmup: number;
  connections: number;
  rounds: number;
  logCompare: boolean;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { articles: 10_000, seconds: 10, warmup: 10, connections: 50, rounds: 3, logCompare: true, keep: false };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--articles') args.articles = num(a, argv[++i], 1);
    else if (a === '--duration') args.seconds = num(a, argv[++i], 1);
    else if (a === '--warmup') args.warmup = num(a, argv[++i], 0);
    else if (a === '--connections') args.connections = num(a, argv[++i], 1);
    else if (a === '--rounds') args.rounds = num(a, argv[++i], 1);
    else if (a === '--quick') {
      args.seconds = 3;
      args.warmup = 2;
      args.rounds = 1;
    } else if (a === '--no-log-compare') args.logCompare = false;
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * One GET with node:http, timed from sending the request until the last byte of the body has arrived, as
 * the server sent it (br or gzip when it offers them, as to a browser). Decompressing is the client's work
 * and comes after the clock stops: with fetch(), undici's decompression of the 1.5 MB sitemap took 10-160 ms
 * of a request the server answers in 2-3 ms.
 */
function timedGet(url: string, headers: Record<string, string> = { 'accept-encoding': 'br, gzip' }): Promise<{ ms: number; status: number; body: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    http
      .get(url, { headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t;
          const raw = Buffer.concat(chunks);
          const enc = res.headers['content-encoding'];
          const buf = enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : raw;
          resolve({ ms, status: res.statusCode ?? 0, body: buf.toString('utf8'), bytes: buf.length });
        });
      })
      .on('error', reject);
  });
}

function firstMatch(html: string, re: RegExp, what: string): string {
  const m = re.exec(html);
  if (!m) throw new Error(`no ${what} found in the page`);
  return m[1]!;
}

function startSite(dirs: { content: string; public: string }, port: number, logLevel: string): Started {
  return startProcess(
    process.execPath,
    ['dist/server.js'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      CONTENT_DIR: dirs.content,
      PUBLIC_DIR: dirs.public,
      SITE_URL: `http://127.0.0.1:${port}`,
      NODE_ENV: 'production',
      LOG_LEVEL: logLevel,
      WEB_CONCURRENCY: '1',
    },
    ROOT,
  );
}

async function measure(label: string, url: string, args: Args, headers?: Record<string, string>): Promise<LoadResult> {
  process.stdout.write(`  ${label}: warm-up ${args.warmup}s, run ${args.seconds}s... `);
  if (args.warmup > 0) await load({ url, connections: args.connections, seconds: args.warmup, ...(headers ? { headers } : {}) });
  const r = await load({ url, connections: args.connections, seconds: args.seconds, ...(headers ? { headers } : {}) });
  say(`${Math.round(r.rps)} req/s`);
  return r;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median of each figure over several runs of one target. */
function medianResult(rs: readonly LoadResult[]): LoadResult {
  return { ...rs[0]!, rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), requests: rs.reduce((n, r) => n + r.requests, 0), errors: rs.reduce((n, r) => n + r.errors, 0) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  say(`newsroom benchmark: ${args.articles} articles, ${hasWrk() ? 'wrk' : 'autocannon (wrk not found)'} -c${args.connections}, ${args.warmup}s warm-up + ${args.seconds}s per run, ${os.cpus().length} CPUs, Node ${process.version}`);

  say('building (npm run build)...');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'newsroom-bench-'));
  const dirs = { content: path.join(tmp, 'content'), public: path.join(tmp, 'public') };
  const running: Started[] = [];
  try {
    cpSync(path.join(ROOT, 'public'), dirs.public, { recursive: true });
    say(`generating ${args.articles} articles in ${tmp}...`);
    await generateCorpus(args.articles, dirs.content, DEFAULT_SEED, { publicDir: dirs.public });
    cpSync(path.join(ROOT, 'content', 'pages'), path.join(dirs.content, 'pages'), { recursive: true });

    // The corpus was just written: let the kernel write it back first, so that flushing 10,000 new files
    // does not compete with the start-up being timed.
    spawnSync('sync', { stdio: 'ignore' });
    // Start-up: from spawning `node dist/server.js` until /readyz answers 200.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const site = startSite(dirs, port, 'info');
    running.push(site);
    await waitForPort(port, { timeoutMs: 180_000, intervalMs: 5, proc: site });
    const readyAt = await pollUntil(`${base}/readyz`, (s) => s === 200, { timeoutMs: 180_000, intervalMs: 5, proc: site });
    const readyMs = readyAt - site.spawnedAt;
    say(`site ready in ${Math.round(readyMs)} ms (pid ${site.pid})`);

    // First request of each page type, right after start-up (nothing is prepared yet).
    const first: [string, number][] = [];
    const home = await timedGet(`${base}/`);
    first.push(['/', home.ms]);
    const articlePath = firstMatch(home.body, /href="(\/articles\/[a-z0-9-]+\/)"/, 'article link');
    const cssPath = firstMatch(home.body, /href="(\/assets\/style\.[0-9a-f]+\.css)"/, 'stylesheet link');
    const article = await timedGet(`${base}${articlePath}`);
    first.push([articlePath, article.ms]);
    // Tag and author pages linked from the first articles on the home page (not every article has tags).
    let tagged = article.body;
    for (const m of home.body.matchAll(/href="(\/articles\/[a-z0-9-]+\/)"/g)) {
      if (/href="\/tags\//.test(tagged)) break;
      if (m[1] === articlePath) continue;
      const r = await timedGet(`${base}${m[1]}`);
      first.push([m[1]!, r.ms]);
      tagged = r.body;
    }
    const tagPath = firstMatch(tagged, /href="(\/tags\/[a-z0-9-]+\/)"/, 'tag link');
    const authorPath = firstMatch(article.body, /href="(\/authors\/[a-z0-9-]+\/)"/, 'author link');
    for (const p of ['/page/2/', tagPath, authorPath, '/about/', cssPath, '/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/news-sitemap.xml']) {
      const r = await timedGet(`${base}${p}`);
      if (r.status === 404 && /(feed|atom|sitemap)/.test(p)) continue; // not built yet in this checkout
      if (r.status !== 200) throw new Error(`GET ${p} answered ${r.status}`);
      first.push([p, r.ms]);
    }
    const again = await timedGet(`${base}${articlePath}`);
    const articleBytes = (await timedGet(`${base}${articlePath}`, { 'accept-encoding': 'identity' })).bytes;
    say(`article ${articlePath}: ${articleBytes} bytes; first request ${article.ms.toFixed(1)} ms, second ${again.ms.toFixed(1)} ms`);

    // Baselines, same machine, same run.
    const httpPort = await freePort();
    const expressPort = await freePort();
    const tsx = ['--import', 'tsx', 'bench/lib/constServer.ts'];
    const bare = startProcess(process.execPath, [...tsx, 'http', String(articleBytes), String(httpPort)], {}, ROOT);
    const plain = startProcess(process.execPath, [...tsx, 'express', String(articleBytes), String(expressPort)], {}, ROOT);
    running.push(bare, plain);
    await pollUntil(`http://127.0.0.1:${httpPort}/`, (s) => s === 200, { timeoutMs: 60_000, intervalMs: 20, proc: bare });
    await pollUntil(`http://127.0.0.1:${expressPort}/`, (s) => s === 200, { timeoutMs: 60_000, intervalMs: 20, proc: plain });

    // Each target is warmed up once, then measured in `rounds` rounds that take the targets in turn, and
    // each figure is the median over the rounds: on a shared 2-core machine one 10 s run can lose a third
    // of its throughput to whatever else runs, and interleaving spreads that over every target alike.
    const loadTargets: [string, string, Record<string, string> | undefined][] = [
      ['node:http constant Buffer', `http://127.0.0.1:${httpPort}/`, undefined],
      ['Express 5 constant Buffer', `http://127.0.0.1:${expressPort}/`, undefined],
      ['site: article', `${base}${articlePath}`, undefined],
      ['site: home', `${base}/`, undefined],
      ['site: asset (css)', `${base}${cssPath}`, undefined],
      ['site: article, br', `${base}${articlePath}`, { 'Accept-Encoding': 'br, gzip' }],
    ];
    say(`load: ${args.warmup}s warm-up per target, then ${args.rounds} round(s) of ${args.seconds}s per target; medians`);
    const runs = new Map<string, LoadResult[]>(loadTargets.map(([label]) => [label, []]));
    for (const [, url, headers] of loadTargets) {
      if (args.warmup > 0) await load({ url, connections: args.connections, seconds: args.warmup, ...(headers ? { headers } : {}) });
    }
    for (let round = 1; round <= args.rounds; round++) {
      const line: string[] = [];
      // Each round starts one target later, so no target always follows the same one (the Express
      // baseline, the heaviest, left the next run measurably slower).
      const shift = (round - 1) % loadTargets.length;
      for (const [label, url, headers] of [...loadTargets.slice(shift), ...loadTargets.slice(0, shift)]) {
        const r = await load({ url, connections: args.connections, seconds: args.seconds, ...(headers ? { headers } : {}) });
        runs.get(label)!.push(r);
        line.push(`${label.replace(/ constant Buffer$/, '').replace(/^site: /, '')} ${Math.round(r.rps)}`);
      }
      say(`  round ${round}: ${line.join(', ')} req/s`);
    }
    const results: [string, LoadResult][] = loadTargets.map(([label]) => [label, medianResult(runs.get(label)!)]);
    await bare.stop();
    await plain.stop();

    const rss = rssMb(site.pid);

    // An edit to one file among all of them, until the article is served with the new text.
    const file = path.join(dirs.content, `${articlePath.split('/')[2]}.md`);
    const original = readFileSync(file, 'utf8');
    const edits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const marker = `bench-edit-${i}-${Date.now()}`;
      const t = performance.now();
      writeFileSync(file, `${original.trimEnd()}\n\nEdited for the benchmark: ${marker}.\n`);
      const at = await pollUntil(`${base}${articlePath}`, (s, body) => s === 200 && body.includes(marker), { timeoutMs: 30_000, intervalMs: 5, proc: site });
      edits.push(at - t);
      await new Promise((r) => setTimeout(r, 300));
    }
    // A new article, until the home page lists it.
    const added: number[] = [];
    for (let i = 0; i < 3; i++) {
      const title = `Benchmark arrival ${i} ${Date.now()}`;
      const date = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const t = performance.now();
      writeFileSync(path.join(dirs.content, `bench-arrival-${i}.md`), `---\ntitle: "${title}"\ndate: ${date}\nauthor: Bench Reporter\n---\n\nA new article written by the benchmark.\n`);
      const at = await pollUntil(`${base}/`, (s, body) => s === 200 && body.includes(title), { timeoutMs: 30_000, intervalMs: 5, proc: site });
      added.push(at - t);
      await new Promise((r) => setTimeout(r, 300));
    }
    const exit = await site.stop();

    let quiet: LoadResult | undefined;
    if (args.logCompare) {
      const port2 = await freePort();
      const site2 = startSite(dirs, port2, 'warn');
      running.push(site2);
      await pollUntil(`http://127.0.0.1:${port2}/readyz`, (s) => s === 200, { timeoutMs: 180_000, intervalMs: 20, proc: site2 });
      say('logging cost (same article, LOG_LEVEL=warn: no per-request log line):');
      quiet = await measure('article, LOG_LEVEL=warn', `http://127.0.0.1:${port2}${articlePath}`, args);
      await site2.stop();
    }

    // Report.
    const baseline = results[0]![1];
    say('');
    say(formatTable(results, baseline));
    if (quiet) {
      const info = results[2]![1];
      say(`per-request logging: article ${Math.round(info.rps)} req/s at LOG_LEVEL=info vs ${Math.round(quiet.rps)} req/s at warn (${((1 - info.rps / quiet.rps) * 100).toFixed(1)}% cost)`);
    }
    say('');
    say(`start-up: ready ${Math.round(readyMs)} ms after spawn`);
    say(`first requests (ms): ${first.map(([p, ms]) => `${p} ${ms.toFixed(1)}`).join(', ')}`);
    say(`RSS after load: ${rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB`}`);
    say(`edit served after (ms): ${edits.map((x) => x.toFixed(0)).join(', ')}`);
    say(`new article on the home page after (ms): ${added.map((x) => x.toFixed(0)).join(', ')}`);
    say(`SIGTERM: site exited with code ${exit}`);
    if (results.some(([, r]) => r.errors > 0)) say(`errors: ${results.filter(([, r]) => r.errors > 0).map(([n, r]) => `${n} ${r.errors}`).join(', ')}`);

    const art = results[2]![1];
    const firstWorst = Math.max(...first.map(([, ms]) => ms));
    const targets: Target[] = [
      { name: 'article throughput >= 50% of node:http', ok: art.rps >= 0.5 * baseline.rps, value: `${((art.rps / baseline.rps) * 100).toFixed(0)}%` },
      { name: 'article p99 <= 2x node:http p99', ok: art.p99 <= 2 * baseline.p99, value: `${art.p99.toFixed(2)} ms vs ${baseline.p99.toFixed(2)} ms (${(art.p99 / baseline.p99).toFixed(2)}x)` },
      { name: `ready <= 3 s (${args.articles} articles)`, ok: readyMs <= 3000, value: `${Math.round(readyMs)} ms` },
      { name: 'first request of every page <= 50 ms', ok: firstWorst <= 50, value: `worst ${firstWorst.toFixed(1)} ms` },
      { name: 'RSS <= 400 MB', ok: rss !== undefined && rss <= 400, value: rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB` },
      { name: 'edit served <= 200 ms after the write', ok: Math.max(...edits) <= 200, value: `worst ${Math.max(...edits).toFixed(0)} ms, median ${median(edits).toFixed(0)} ms` },
      { name: 'new article listed <= 1 s after the write', ok: Math.max(...added) <= 1000, value: `worst ${Math.max(...added).toFixed(0)} ms` },
      { name: 'graceful exit code 0', ok: exit === 0, value: String(exit) },
    ];
    say('');
    say(verdict(targets));
  } finally {
    await Promise.all(running.map((p) => p.stop(3000).catch(() => null)));
    if (args.keep) say(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
