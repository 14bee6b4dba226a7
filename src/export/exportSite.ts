// `npm run export`: writes the whole public site as files. Worker threads each build the site (each parses
// a share of the content files and sends it to the others) and render a share of the URLs through the app
// itself (so every body is the one the server sends); this thread hands out the work and writes every file
// as the bodies arrive (bodyRing.ts), then writes the redirect and header files for static hosts and nginx,
// deletes what a previous export wrote for pages that are gone, and records the manifest.

import { readdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { BodyRingReader } from './bodyRing.js';
import { describeError } from './describeError.js';
import { GENERATED_FILES } from './generatedFiles.js';
import { HeaderPlanner, headersFile, nginxHeaders } from './headerRules.js';
import { isSafeRelative, readManifest, writeManifest } from './manifest.js';
import { OutputWriter } from './OutputWriter.js';
import type { AliasInfo, FromWorker, Job, JobResult, WorkerData } from './protocol.js';
import { aliasFile, aliasSources, nginxRedirects, redirectPage, redirectsFile } from './redirects.js';

export class ExportError extends Error {
  constructor(
    message: string,
    /** 2: the command was used wrongly (missing SITE_URL, unsafe folder); 1: the export failed. */
    readonly exitCode: 1 | 2 = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

export interface ExportOptions {
  readonly outDir: string;
  /** Where SITE_URL, CONTENT_DIR, PUBLIC_DIR... are read; process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Write .gz and .br siblings of text files (default true). */
  readonly precompress?: boolean;
  /** Render workers (default: the machine's cores, at most 4). */
  readonly threads?: number;
  /** Export into a non-empty folder that holds no earlier export. */
  readonly force?: boolean;
  /** The instant the site is exported at (scheduled articles, the news sitemap's window). */
  readonly now?: number;
}

export interface ExportSummary {
  readonly outDir: string;
  /** URLs exported (pages, documents, assets, public files, redirect pages). */
  readonly urls: number;
  readonly files: number;
  readonly written: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly redirects: number;
  /** Documents the app does not serve (e.g. a feed that is not built), and public files it refuses. */
  readonly skipped: readonly string[];
  /** Content problems: those files are left out, as on the server. */
  readonly problems: readonly string[];
  readonly threads: number;
  readonly ms: number;
}

const CHUNK = 32;
// A feed is about ten pages' worth of bytes (150 KB with 20 full articles).
const DOCUMENT_WEIGHT = 8;
// Each worker's young generation (where V8 allocates, then copies the survivors out): 24 MB, semi-spaces of
// 8 MB, instead of V8's default of up to 48 MB. A worker allocates about 1.4 GB on 4,000 articles, nearly
// all of it garbage within a page; the smaller nursery is reused while still in the CPU's caches, which
// the two threads share on a 2-core machine. Interleaved runs: 6.0 s against 6.5 s, 40 MB less memory.
const YOUNG_GENERATION_MB = 24;
const MUST_SUCCEED = new Set<Job['kind']>(['article', 'page', 'listing', 'asset', 'notfound']);

const inside = (child: string, parent: string): boolean => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/**
 * The bundled worker (scripts/bundle-export.mjs), which loads faster, when it was made from this build of
 * `script` (it is not older); else `script` itself, e.g. after a tsc run that did not bundle.
 */
export function bundledIfCurrent(script: URL, bundle: URL): URL {
  const made = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  return made !== undefined && made >= statSync(script).mtimeMs ? bundle : script;
}

function workerScript(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(`./exportWorker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return bundledIfCurrent(script, new URL('../exportWorker.bundle.js', import.meta.url));
  // Run from TypeScript sources (npm run export, tests): on Node 20, tsx's --import hook does not reach
  // worker threads, so a tiny ES module registers tsx in the worker, then loads the worker's source.
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const tsxApi = pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
  const boot = [`const { register } = await import(${JSON.stringify(tsxApi)});`, 'register();', `await import(${JSON.stringify(script.href)});`].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

interface WorkerOutput {
  readonly jobs: readonly Job[];
  readonly aliases: readonly AliasInfo[];
  readonly problems: readonly string[];
}

/** `onResult` is given each job's result as it arrives, with the bodies of its files (valid during the call). */
function runWorkers(base: Omit<WorkerData, 'index' | 'peers' | 'claim'>, threads: number, onResult: (r: JobResult, bodies: readonly Buffer[]) => void): Promise<WorkerOutput> {
  const script = workerScript();
  return new Promise<WorkerOutput>((resolve, reject) => {
    const workers: Worker[] = [];
    const ready: Extract<FromWorker, { type: 'ready' }>[] = [];
    const rings: BodyRingReader[] = [];
    let jobs: readonly Job[] = [];
    let next = 0;
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      reject(new ExportError(message));
    };
    // Two queues: the feed lane (jobs[0, laneEnd)) for worker 0, the rest for the others; whoever runs out
    // helps with the other queue. Chunks shrink towards the end so the workers finish together.
    let lane = 0;
    let laneEnd = 0;
    const take = (from: 'lane' | 'rest'): { start: number; end: number } | undefined => {
      const left = laneEnd - lane + (jobs.length - next);
      const size = Math.max(4, Math.min(CHUNK, Math.ceil(left / (threads * 4))));
      // A document (a feed, a sitemap) counts as several pages: a chunk's bodies then fit in the worker's
      // ring of shared memory (bodyRing.ts) instead of being copied into the message.
      const upTo = (start: number, limit: number): number => {
        let end = start;
        for (let weight = 0; end < limit && weight < size; end++) weight += jobs[end]!.kind === 'document' ? DOCUMENT_WEIGHT : 1;
        return end;
      };
      if (from === 'lane' && lane < laneEnd) {
        const start = lane;
        lane = upTo(start, laneEnd);
        return { start, end: lane };
      }
      if (from === 'rest' && next < jobs.length) {
        const start = next;
        next = upTo(start, jobs.length);
        return { start, end: next };
      }
      return undefined;
    };
    // Each worker holds up to two chunks, so that it starts the next as soon as it has sent the results of
    // one, instead of waiting for this thread's answer (about 2 ms a chunk on a busy machine). A worker is
    // told to stop once nothing is left for it and its last results arrived (its files are written by then).
    // When every worker is told, the export goes on, and ends, without waiting for the threads to tear down
    // their heaps.
    const AHEAD = 2;
    const held = new Array<number>(threads).fill(0);
    const stopped = new Set<number>();
    const give = (w: Worker, index: number): void => {
      const own = index === 0 ? 'lane' : 'rest';
      while (held[index]! < AHEAD) {
        const chunk = take(own) ?? take(own === 'lane' ? 'rest' : 'lane');
        if (!chunk) break;
        held[index]!++;
        w.postMessage({ type: 'chunk', ...chunk });
      }
      if (held[index]! > 0) return;
      w.postMessage({ type: 'stop' });
      // Nothing it does from here on may keep the process alive.
      w.unref();
      stopped.add(index);
      if (stopped.size === threads && !settled) {
        settled = true;
        resolve({ jobs, aliases: first?.aliases ?? [], problems: first?.problems ?? [] });
      }
    };
    // Work starts as soon as worker 0 has listed the jobs; a worker that loads more slowly joins when it is
    // ready, once it has listed the same jobs (same content).
    let first: Extract<FromWorker, { type: 'ready' }> | undefined;
    const start = (r: Extract<FromWorker, { type: 'ready' }>): void => {
      if (r.fingerprint !== first!.fingerprint || r.count !== first!.count) {
        fail('the content changed while the export was reading it; run the export again');
        return;
      }
      give(workers[r.index]!, r.index);
    };
    // A channel between each pair of workers, over which they exchange the content each has parsed.
    const peers: MessagePort[][] = Array.from({ length: threads }, () => []);
    for (let a = 0; a < threads; a++) {
      for (let b = a + 1; b < threads; b++) {
        const { port1, port2 } = new MessageChannel();
        peers[a]!.push(port1);
        peers[b]!.push(port2);
      }
    }
    const claim = new Int32Array(new SharedArrayBuffer(4));
    for (let index = 0; index < threads; index++) {
      const ports = peers[index]!;
      const workerData: WorkerData = { ...base, index, peers: ports, claim };
      const w = new Worker(script, { workerData, transferList: ports, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      workers.push(w);
      w.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'failed') fail(`export worker ${m.index}: ${m.message}`);
        else if (m.type === 'ready') {
          rings[index] = new BodyRingReader(m.ring);
          ready.push(m);
          if (m.index === 0) {
            first = m;
            jobs = m.jobs ?? [];
            laneEnd = m.laneEnd ?? 0;
            next = laneEnd;
            for (const r of ready) start(r);
          } else if (first) start(m);
        } else {
          const ring = rings[index]!;
          let k = 0;
          try {
            for (const r of m.results) {
              onResult(r, r.files.map(() => ring.body(m.bodies[k++]!)));
            }
          } catch (err) {
            fail(describeError(err));
            return;
          }
          ring.release(m.end);
          held[index]!--;
          give(w, index);
        }
      });
      w.on('error', (err) => fail(`export worker ${index} stopped: ${describeError(err)}`));
      w.on('exit', (code) => {
        // A worker told to stop has delivered all its results; it may end while others still work.
        if (settled || stopped.has(index)) return;
        fail(code !== 0 ? `export worker ${index} exited with code ${code}` : `export worker ${index} ended before its work was done`);
      });
    }
  });
}

function checkOutDir(outDir: string, config: Config, hasManifest: boolean, force: boolean): void {
  for (const [dir, name] of [
    [config.contentDir, 'CONTENT_DIR'],
    [config.publicDir, 'the public folder'],
  ] as const) {
    if (inside(outDir, dir)) throw new ExportError(`${outDir}: is inside ${name} (${dir}); choose a folder outside it`, 2);
    if (inside(dir, outDir)) throw new ExportError(`${outDir}: contains ${name} (${dir}); choose a folder of its own`, 2);
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(outDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ExportError(`${outDir}: is a file, not a folder`, 2);
    if (code !== 'ENOENT') throw new ExportError(`${outDir}: cannot be read`, 1, { cause: err });
  }
  if (entries.length > 0 && !hasManifest && !force) {
    throw new ExportError(`${outDir}: is not empty and holds no earlier export; choose an empty folder, or pass --force to write into it (files the export did not write are never deleted)`, 2);
  }
}

function compressed(body: Buffer): { gz: Buffer; br: Buffer } {
  return { gz: gzipSync(body, { level: 9 }), br: brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }) };
}

/** Deletes files an earlier export wrote that this one did not, then the folders that leaves empty. */
function deleteStale(outDir: string, previous: readonly string[], current: ReadonlySet<string>): number {
  let deleted = 0;
  const dirs = new Set<string>();
  for (const rel of previous) {
    if (current.has(rel) || !isSafeRelative(rel)) continue;
    const file = path.join(outDir, ...rel.split('/'));
    try {
      unlinkSync(file);
      deleted++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ExportError(`${file}: cannot be deleted`, 1, { cause: err });
    }
    for (let d = path.dirname(file); d !== outDir && inside(d, outDir); d = path.dirname(d)) dirs.add(d);
  }
  // Deepest first; a folder that still holds anything (ours or not) stays.
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
    } catch {
      // not empty, or already gone
    }
  }
  return deleted;
}

export async function exportSite(options: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const given = options.env ?? process.env;
  if (!given.SITE_URL?.trim()) {
    throw new ExportError('SITE_URL is not set: an export needs the public address of the site for its absolute links, e.g. SITE_URL=https://news.example npm run export -- out', 2);
  }
  // Drafts and scheduled articles never leave in an export, whatever the environment says.
  const env: Record<string, string | undefined> = { ...given, PREVIEW: 'false', LOG_LEVEL: 'silent', NODE_ENV: given.NODE_ENV?.trim() || 'production' };
  let config: Config;
  try {
    config = loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) throw new ExportError(`configuration error: ${err.message}`, 2, { cause: err });
    throw err;
  }
  const outDir = path.resolve(cwd, options.outDir);
  let previous: readonly string[] = [];
  let hasManifest = false;
  try {
    const m = readManifest(outDir);
    if (m) {
      previous = m.files;
      hasManifest = true;
    }
  } catch (err) {
    throw new ExportError(describeError(err), 2, { cause: err });
  }
  checkOutDir(outDir, config, hasManifest, options.force ?? false);
  const precompress = options.precompress ?? true;
  const threads = Math.max(1, Math.min(16, Math.floor(options.threads ?? Math.min(4, availableParallelism()))));

  // Each result is taken in as it arrives, while the workers go on rendering: the plan of headers, the
  // files and URLs the export made. Taken at the end, it ran alone on one core for about 0.1 s.
  const produced = new Set<string>();
  const urls = new Set<string>();
  const planner = new HeaderPlanner();
  const writer = new OutputWriter(outDir, new Set(previous));
  const failed: string[] = [];
  const skipped: string[] = [];
  const collect = (r: JobResult, bodies: readonly Buffer[]): void => {
    planner.add(r);
    r.files.forEach((f, i) => {
      writer.write(f, bodies[i]!);
      produced.add(f);
    });
    if (r.files.length > 0) urls.add(r.url);
    else if (MUST_SUCCEED.has(r.kind)) failed.push(`${r.url}: the app answered ${r.status}`);
    else skipped.push(`${r.url} (${r.status})`);
  };
  const out = await runWorkers({ env, cwd, outDir, now: options.now ?? Date.now(), precompress }, threads, collect);

  if (failed.length > 0) {
    // Keep track of what was written, so a later successful run can still clean it up.
    writeManifest(outDir, config.siteUrl, [...previous, ...produced]);
    throw new ExportError(`${failed.length} page(s) could not be exported:\n  ${failed.slice(0, 20).join('\n  ')}`);
  }

  const put = (rel: string, body: string | Buffer, text: boolean): void => {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    writer.write(rel, buf);
    produced.add(rel);
    if (text && precompress) {
      const { gz, br } = compressed(buf);
      writer.write(`${rel}.br`, br);
      writer.write(`${rel}.gz`, gz);
      produced.add(`${rel}.br`).add(`${rel}.gz`);
    }
  };

  // Aliases: a route at the same address wins in the app, so it wins here too.
  const aliases = out.aliases.filter((a) => !aliasSources(a.from).some((s) => urls.has(s)));
  let redirectPages = 0;
  for (const a of aliases) {
    const file = aliasFile(a.from);
    if (file === undefined || produced.has(file)) continue;
    put(file, redirectPage(a, config), true);
    redirectPages++;
  }
  put('_redirects', redirectsFile(aliases), false);
  put('redirects.nginx.conf', nginxRedirects(aliases), false);
  const plan = planner.plan();
  put('_headers', headersFile(plan), false);
  put('headers.nginx.conf', nginxHeaders(plan, GENERATED_FILES), false);

  const deleted = deleteStale(outDir, previous, produced);
  writeManifest(outDir, config.siteUrl, produced);
  return {
    outDir,
    urls: urls.size + redirectPages,
    files: produced.size,
    written: writer.written,
    unchanged: writer.unchanged,
    deleted,
    redirects: aliases.length,
    skipped,
    problems: out.problems,
    threads,
    ms: performance.now() - started,
  };
}
