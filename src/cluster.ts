// WEB_CONCURRENCY=N (N > 1) runs N worker processes with node:cluster, sharing one listening port; each
// worker loads the content, watches it and serves on its own, exactly as a single process does. 1 (the
// default) runs in this process, with no primary.
//
// The primary only supervises: it restarts a worker that dies unexpectedly (after a delay that doubles
// with each quick failure, so a worker that cannot start does not spin), forwards SIGTERM/SIGINT to the
// workers and exits once they have all finished (0 when every worker exited cleanly); a second signal
// kills the workers and exits at once.

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createLogger } from './log.js';

/** IPC message from the primary asking a worker to shut down gracefully. */
const SHUTDOWN = 'newsroom:shutdown';

export interface ClusterOptions {
  readonly logger?: Logger;
  /** First restart delay; doubles with each worker that dies within STABLE_MS of starting. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** A worker that dies this many times in a row without ever listening stops the cluster. */
  readonly maxStartFailures?: number;
  readonly exit?: (code: number) => void;
}

/** How long the primary waits for its workers after a signal before killing them. */
const SHUTDOWN_LIMIT_MS = 15_000;
/** A worker that has run this long is healthy: its next failure starts the backoff again. */
const STABLE_MS = 30_000;

export async function runCluster(config: Config, startWorker: () => Promise<void>, options: ClusterOptions = {}): Promise<void> {
  if (config.webConcurrency <= 1) return startWorker();
  if (cluster.isWorker) {
    relayShutdown();
    return startWorker();
  }
  runPrimary(config, options);
}

/**
 * In a worker: a shutdown request from the primary becomes the signal the worker's own shutdown handler
 * listens for. A worker that already received a signal itself (systemd and terminals signal the whole
 * process group) ignores the request, so that it does not count as a second signal and cut the drain short.
 */
function relayShutdown(): void {
  let signalled = false;
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.prependListener(s, () => {
      signalled = true;
      // Still starting: no shutdown handler besides this one, nothing to drain.
      if (process.listenerCount(s) <= 1) process.exit(0);
    });
  }
  process.on('message', (msg: unknown) => {
    if (typeof msg !== 'object' || msg === null || (msg as { type?: unknown }).type !== SHUTDOWN) return;
    const signal = (msg as { signal?: unknown }).signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    if (signalled) return;
    // A worker still starting has no shutdown handler yet (only ours listens) and nothing to drain.
    if (process.listenerCount(signal) <= 1) process.exit(0);
    process.emit(signal, signal);
  });
}

interface Slot {
  worker: Worker;
  startedAt: number;
  listening: boolean;
  failures: number;
  startFailures: number;
}

function runPrimary(config: Config, options: ClusterOptions): void {
  // The primary logs a few lines in its lifetime: straight to stdout (synchronous for files and pipes on
  // Linux), so none waits in a buffer.
  const log = options.logger ?? createLogger(config, process.stdout);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const baseDelay = options.restartDelayMs ?? 200;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const maxStartFailures = options.maxStartFailures ?? 5;
  const slots = new Map<number, Slot>(); // by worker id
  const timers = new Set<NodeJS.Timeout>();
  let stopping: NodeJS.Signals | undefined;
  let failedExit = false;

  const finish = (code: number): void => {
    for (const t of timers) clearTimeout(t);
    log.flush(() => exit(code));
    setTimeout(() => exit(code), 500).unref();
  };

  const fork = (previous?: Slot): void => {
    const worker = cluster.fork();
    const slot: Slot = { worker, startedAt: Date.now(), listening: false, failures: previous?.failures ?? 0, startFailures: previous?.startFailures ?? 0 };
    slots.set(worker.id, slot);
    log.info({ worker: worker.process.pid }, 'worker started');
    worker.once('listening', () => {
      slot.listening = true;
      slot.startFailures = 0;
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    if (stopping) {
      // A worker stopped before it ever listened had nothing to finish, however it ended.
      if (code !== 0 && slot?.listening) failedExit = true;
      if (slots.size === 0) {
        log.info({ signal: stopping, clean: !failedExit }, 'all workers stopped');
        finish(failedExit ? 1 : 0);
      }
      return;
    }
    if (!slot) return;
    slot.failures = Date.now() - slot.startedAt > STABLE_MS ? 1 : slot.failures + 1;
    slot.startFailures = slot.listening ? 0 : slot.startFailures + 1;
    if (slot.startFailures >= maxStartFailures) {
      log.error({ pid: worker.process.pid, code, signal, attempts: slot.startFailures }, 'a worker failed to start again and again: stopping');
      stopping = 'SIGTERM';
      for (const s of slots.values()) s.worker.process.kill('SIGTERM');
      if (slots.size === 0) finish(1);
      return;
    }
    const delay = Math.min(maxDelay, baseDelay * 2 ** (slot.failures - 1));
    log.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died unexpectedly: restarting it');
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopping) fork(slot);
    }, delay);
    timers.add(t);
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: stopping workers at once');
      for (const s of slots.values()) s.worker.process.kill('SIGKILL');
      finish(1);
      return;
    }
    stopping = signal;
    log.info({ signal, workers: slots.size }, 'shutting down: waiting for workers to finish');
    // Workers finish within 10 s (see lifecycle); one that does not is killed.
    const deadline = setTimeout(() => {
      log.error({ workers: slots.size }, 'workers did not stop in time: killing them');
      for (const s of slots.values()) s.worker.process.kill('SIGKILL');
      finish(1);
    }, SHUTDOWN_LIMIT_MS);
    deadline.unref();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of slots.values()) {
      // Over IPC rather than as a signal (see relayShutdown), to workers that are serving; one still starting
      // may not listen for messages yet, and gets the signal.
      if (s.listening && s.worker.isConnected()) s.worker.send({ type: SHUTDOWN, signal });
      else s.worker.process.kill(signal);
    }
    if (slots.size === 0) finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  log.info({ workers: config.webConcurrency, pid: process.pid }, `starting ${config.webConcurrency} workers`);
  for (let i = 0; i < config.webConcurrency; i++) fork();
}
