// Drives an HTTP server with wrk (Debian package "wrk"), or with autocannon when wrk is missing, and
// returns requests per second and latency percentiles.

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly tool: 'wrk' | 'autocannon';
  readonly rps: number;
  /** Latency percentiles in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  /** Responses other than 2xx/3xx, plus socket errors. */
  readonly errors: number;
}

let wrkAvailable: boolean | undefined;

export function hasWrk(): boolean {
  wrkAvailable ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return wrkAvailable;
}

/** "1.23ms", "850.00us", "1.02s" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unexpected wrk duration "${text}"`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** Reads the figures out of `wrk --latency` output. */
export function parseWrk(out: string): Omit<LoadResult, 'tool'> {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /^\s+(\d+) requests in/m.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`could not read wrk output:\n${out}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((s, n) => s + Number(n), 0) : 0;
  return {
    rps: Number(rps[1]),
    p50: parseDuration(p50[1]!),
    p99: parseDuration(p99[1]!),
    requests: Number(total[1]),
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
  };
}

async function withWrk(o: LoadOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(o.url);
  const { stdout } = await run('wrk', args, { timeout: (o.seconds + 30) * 1000, maxBuffer: 1 << 20 });
  return { tool: 'wrk', ...parseWrk(stdout) };
}

async function withAutocannon(o: LoadOptions): Promise<LoadResult> {
  const { default: autocannon } = await import('autocannon');
  const r = await autocannon({ url: o.url, connections: o.connections, duration: o.seconds, headers: { ...o.headers } });
  return {
    tool: 'autocannon',
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

/** One load run (wrk -t1 -cN -dS, or autocannon with the same connections and duration). */
export function load(o: LoadOptions): Promise<LoadResult> {
  return hasWrk() ? withWrk(o) : withAutocannon(o);
}
