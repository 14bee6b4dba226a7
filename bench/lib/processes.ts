// Child processes for the benchmark: start a server, wait until it answers, read its memory, stop it.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** performance.now() just before the process was spawned. */
  readonly spawnedAt: number;
  /** Last lines the process wrote to stderr (for error messages). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; there is a small race, which is fine for a benchmark). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `command args` with `env` added to this process's environment; stdout is discarded. */
export function startProcess(command: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Started {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    child,
    pid: child.pid,
    spawnedAt,
    stderr: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Polls `url` every `intervalMs` until `accept(status, body)` is true; resolves with performance.now() of the
 * accepted response. Rejects after `timeoutMs`, or when `proc` exits first.
 */
export async function pollUntil(
  url: string,
  accept: (status: number, body: string) => boolean,
  options: { timeoutMs: number; intervalMs: number; proc?: Started },
): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (options.proc && options.proc.child.exitCode !== null) {
      throw new Error(`server exited with code ${options.proc.child.exitCode} before ${url} was ready:\n${options.proc.stderr()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      if (accept(res.status, body)) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} not ready within ${options.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}

/**
 * Resolves when 127.0.0.1:`port` accepts a TCP connection, trying every `intervalMs`. A refused connect
 * costs microseconds, where a refused fetch() costs about a millisecond of CPU: polling a starting server
 * with fetch every 5 ms took a noticeable share of a 2-core machine from the start-up being timed.
 */
export async function waitForPort(port: number, options: { timeoutMs: number; intervalMs: number; proc?: Started }): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (options.proc && options.proc.child.exitCode !== null) {
      throw new Error(`server exited with code ${options.proc.child.exitCode} before it listened on ${port}:\n${options.proc.stderr()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (performance.now() > deadline) throw new Error(`nothing listening on ${port} within ${options.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined where /proc is not available. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
