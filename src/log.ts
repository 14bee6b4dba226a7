// Structured JSON logs (pino): one line per request and per content problem. LOG_LEVEL sets the floor.

import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

type SonicBoom = ReturnType<typeof pino.destination>;

/** Lines are handed to the destination in batches of about this many characters (or once per event-loop turn). */
const BATCH_CHARS = 16 * 1024;

/**
 * Collects log lines and hands them to pino's asynchronous destination once per event-loop turn (or when
 * 16 KiB have gathered). Each write to that destination costs a few microseconds whatever its length, which
 * at tens of thousands of requests a second was most of the cost of the per-request log line; one write per
 * batch makes it negligible. Lines keep their order, and flush/flushSync (graceful shutdown, process exit)
 * write whatever is pending first.
 */
class LineBatcher {
  private pending = '';
  private scheduled = false;

  constructor(private readonly out: SonicBoom) {
    live.add(new WeakRef(this));
  }

  write(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= BATCH_CHARS) this.drain();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
    return true;
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    this.out.write(chunk);
  };

  flush(cb?: (err?: Error) => void): void {
    this.drain();
    this.out.flush(cb);
  }

  flushSync(): void {
    this.drain();
    this.out.flushSync();
  }
}

const live = new Set<WeakRef<LineBatcher>>();
process.once('exit', () => {
  for (const ref of live) {
    try {
      ref.deref()?.flushSync();
    } catch {
      // nothing more can be done at exit
    }
  }
});

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? new LineBatcher(pino.destination({ dest: 1, sync: false })),
  );
}
