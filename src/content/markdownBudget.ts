// Bounds what one article body may cost to render, checked when the file is loaded, so that a page is
// never held up by its own Markdown. Bodies are rendered lazily on the request thread; marked (like most
// Markdown parsers) is quadratic or worse on some inputs: 10,000 nested list markers, long runs of
// emphasis delimiters, or 150 KB of lazy blockquote lines take from seconds to minutes.
//
// Two steps: a linear scan refuses the known shapes with an exact diagnostic (nesting depth, delimiter
// runs). A body that is small and plain (under SAFE_BYTES and SAFE_MARKUP markup characters, which covers
// real articles; the worst such body renders in a few tens of milliseconds) is accepted. Anything larger
// is rendered once in a worker thread with a time limit, and refused when it does not finish in time.

import { readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { renderMarkdown } from '../markdown.js';

export const MAX_MARKDOWN_NESTING = 20;
export const MAX_DELIMITER_RUN = 200;
/** CPU time the worker may spend rendering one body (wall-clock time where thread CPU time cannot be read). */
export const RENDER_LIMIT_MS = 250;
/** However busy the machine, the loading thread waits no longer than this for one body. */
const RENDER_WALL_LIMIT_MS = 600;
const SAFE_BYTES = 32 * 1024;
const SAFE_MARKUP = 2_000;
/** Starting the worker (first use only) may take a while on a busy machine; it does not count against the limit. */
const BOOT_LIMIT_MS = 20_000;

export interface BudgetProblem {
  /** 1-based line within the body. */
  readonly line: number;
  readonly message: string;
}

export interface MarkdownShape {
  /** Deepest nesting of blockquotes and list items (by markers and indentation), outside fenced code. */
  readonly depth: number;
  readonly depthLine: number;
  /** Longest run of one emphasis or link delimiter character. */
  readonly run: number;
  readonly runChar: string;
  readonly runLine: number;
  /** Characters that start or end Markdown constructs, and line breaks (counted up to just past SAFE_MARKUP). */
  readonly markup: number;
}

const lineAt = (s: string, index: number): number => {
  let n = 1;
  for (let i = s.indexOf('\n'); i !== -1 && i < index; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

// Character classes, by char code: MARKUP is * _ ~ [ ] < > ` ( ) ! \ | & # = and newline; RUN, the
// delimiters whose long runs are costly (* _ ~ [ ] < > ` ( ) ! \).
const MARKUP = 1;
const RUN = 2;
const LINE_END = 4;
const CLASS = new Uint8Array(65536);
const RUN_CHARS = '*_~[]<>`()!\\';
const MARKUP_CHARS = '|&#=';
const LINE_ENDS = '\n\r\u2028\u2029';
for (const c of RUN_CHARS) CLASS[c.charCodeAt(0)] = MARKUP | RUN;
for (const c of MARKUP_CHARS) CLASS[c.charCodeAt(0)] = MARKUP;
for (const c of LINE_ENDS) CLASS[c.charCodeAt(0)] = LINE_END;
CLASS[10] = MARKUP | LINE_END;

/** A run of characters of no class (CLASS 0): neither markup nor a line end. */
const PLAIN_RUN = new RegExp(`[^${(RUN_CHARS + MARKUP_CHARS + LINE_ENDS).replace(/[\\\]^-]/g, '\\$&')}]+`, 'y');

/** Line terminators, as for ^ and $ in a multiline regex (and so in the Markdown lexer's rules). */
const isLineEnd = (c: number): boolean => (CLASS[c]! & LINE_END) !== 0;
const isBlank = (c: number): boolean => c === 32 || c === 9;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * One linear pass over the body, cheap enough to run on every load of every file (10,000 bodies in about
 * 0.1 s). Per line: fenced code (a line of 3+ backticks or tildes after at most 3 spaces, closed by a fence of
 * the same character, at least as long, with nothing after it) and, outside it, the container prefix: a
 * sequence of `>`, `-`/`*`/`+` and `1.`/`1)` markers (each followed by a blank or the line end), each marker
 * a level, plus one level per two columns of indentation before the first. Per character: the longest run
 * of one delimiter, and the markup count.
 */
export function markdownShape(body: string): MarkdownShape {
  const n = body.length;
  let depth = 0;
  let depthAt = 0;
  let run = 1;
  let runChar = 0;
  let runAt = 0;
  let markup = 0;
  let fenceChar = 0;
  let fenceLen = 0;

  const line = (p: number): void => {
    // A fence line: at most 3 spaces, then 3 or more of one fence character.
    let q = p;
    while (q < p + 3 && body.charCodeAt(q) === 32) q++;
    const fc = body.charCodeAt(q);
    if (fc === 96 || fc === 126) {
      let r = q;
      while (body.charCodeAt(r) === fc) r++;
      if (r - q >= 3) {
        if (fenceChar === 0) {
          fenceChar = fc;
          fenceLen = r - q;
        } else if (fc === fenceChar && r - q >= fenceLen) {
          let e = r;
          while (e < n && !isLineEnd(body.charCodeAt(e))) e++;
          if (body.slice(r, e).trim() === '') fenceChar = 0;
        }
        return;
      }
    }
    if (fenceChar !== 0) return;
    let markers = 0;
    let indent = 0;
    for (let r = p; ; ) {
      while (isBlank(body.charCodeAt(r))) {
        if (markers === 0) indent += body.charCodeAt(r) === 32 ? 1 : 4;
        r++;
      }
      const c = body.charCodeAt(r);
      let next = -1;
      if (c === 62) next = r + 1;
      else if (c === 45 || c === 42 || c === 43) next = r + 1;
      else if (isDigit(c)) {
        let d = r;
        while (d - r < 10 && isDigit(body.charCodeAt(d))) d++;
        const m = body.charCodeAt(d);
        if (d - r <= 9 && (m === 46 || m === 41)) next = d + 1;
      }
      // A list marker needs a blank or the line end after it; a quote marker does not.
      if (next === -1 || (c !== 62 && next < n && !isBlank(body.charCodeAt(next)) && !isLineEnd(body.charCodeAt(next)))) break;
      markers++;
      r = next;
    }
    const d = markers + Math.floor(indent / 2);
    if (markers > 0 && d > depth) {
      depth = d;
      depthAt = p;
    }
  };

  line(0);
  let prev = -1;
  let length = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    const k = CLASS[c]!;
    if (k === 0) {
      prev = -1;
      // Skip the rest of the plain run at once: a regex runs natively from its first use, where this loop
      // runs in V8's interpreter for much of a one-off export's load (3x slower over news prose).
      PLAIN_RUN.lastIndex = i;
      if (PLAIN_RUN.test(body)) i = PLAIN_RUN.lastIndex - 1;
      continue;
    }
    if (k & MARKUP) markup++;
    if (k & RUN) {
      if (c === prev) length++;
      else {
        prev = c;
        length = 1;
        start = i;
      }
      if (length > run) {
        run = length;
        runChar = c;
        runAt = start;
      }
    } else prev = -1;
    if (k & LINE_END) line(i + 1);
  }
  return {
    depth,
    depthLine: lineAt(body, depthAt),
    run,
    runChar: runChar === 0 ? '' : String.fromCharCode(runChar),
    runLine: lineAt(body, runAt),
    // Only as far as the threshold matters: past it the body is checked in the worker anyway.
    markup: Math.min(markup, SAFE_MARKUP + 1),
  };
}

/** The first reason this body would be too costly to render, or undefined when it is fine. */
export function checkMarkdownBudget(body: string): BudgetProblem | undefined {
  const s = markdownShape(body);
  if (s.depth > MAX_MARKDOWN_NESTING) {
    return { line: s.depthLine, message: `lists or quotes are nested ${s.depth} levels deep; the limit is ${MAX_MARKDOWN_NESTING}` };
  }
  if (s.run > MAX_DELIMITER_RUN) {
    return { line: s.runLine, message: `a run of ${s.run} "${s.runChar}" characters is too long to render safely; the limit is ${MAX_DELIMITER_RUN} (escape them or use fewer)` };
  }
  if (body.length <= SAFE_BYTES && s.markup <= SAFE_MARKUP) return undefined;
  const result = probeRender(body);
  if (result === 'timeout') {
    return { line: 1, message: `the body takes more than ${RENDER_LIMIT_MS} ms to render; split the article or simplify its Markdown` };
  }
  if (result !== 'ok') return { line: 1, message: result };
  return undefined;
}

// ---- The worker: started on first need and kept (unreferenced, so it never holds the process open); one
// that overruns is terminated and replaced at once, so the next probe does not wait for a worker to boot.

interface Probe {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
}

const IDLE = 0;
const STARTED = 1;
const DONE = 2;

let probe: Probe | undefined;

function startProbe(): Probe {
  // [phase, the worker's OS thread id (0 when unknown)]
  const state = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const moduleUrl = import.meta.url;
  // Under tsx or vitest this module is TypeScript: the worker registers tsx before importing it.
  const tsxApi = moduleUrl.endsWith('.ts') ? pathToFileURL(createRequire(moduleUrl).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs') : '';
  const source = `
    const { workerData } = require('node:worker_threads');
    (async () => {
      if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
      const m = await import(workerData.moduleUrl);
      m.serveProbes(workerData.port, workerData.state);
    })();`;
  const worker = new Worker(source, { eval: true, workerData: { moduleUrl, tsxApi, port: port2, state }, transferList: [port2] });
  worker.unref();
  port1.unref();
  worker.on('error', () => stopProbe());
  return { worker, port: port1, state };
}

function stopProbe(): void {
  if (!probe) return;
  void probe.worker.terminate();
  probe.port.close();
  probe = undefined;
}

// Warm-up text: a cold worker runs marked unoptimised, several times slower than a warm one.
const WARM_UP = Array.from({ length: 40 }, (_, i) => `## Part ${i}\n\nSome *text* with **strong** words, a [link](https://x.example/${i}), \`code\` and a list:\n\n- one\n- two\n\n> A quote.\n\n| a | b |\n|---|---|\n| 1 | 2 |`).join('\n\n');

/** Runs in the worker: renders each body it is sent and reports through the shared state. */
export function serveProbes(port: MessagePort, state: Int32Array): void {
  for (let i = 0; i < 5; i++) renderMarkdown(WARM_UP, { siteOrigin: 'https://example.invalid' });
  try {
    // "/proc/thread-self" names this thread: the loading thread reads its CPU time from there.
    Atomics.store(state, 1, Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0);
  } catch {
    Atomics.store(state, 1, 0);
  }
  port.on('message', (body: string) => {
    Atomics.store(state, 0, STARTED);
    Atomics.notify(state, 0);
    let result = 'ok';
    try {
      renderMarkdown(body, { siteOrigin: 'https://example.invalid' });
    } catch (err) {
      result = (err as Error).message;
    }
    port.postMessage(result);
    Atomics.store(state, 0, DONE);
    Atomics.notify(state, 0);
  });
}

/** CPU time (user + system) a thread of this process has used, in ms; undefined where /proc is not available. */
function threadCpuMs(tid: number): number | undefined {
  if (!tid) return undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Renders `body` in the worker, waiting (synchronously: parsing is synchronous) at most RENDER_LIMIT_MS. */
function probeRender(body: string): string {
  probe ??= startProbe();
  const p = probe;
  Atomics.store(p.state, 0, IDLE);
  p.port.postMessage(body);
  const bootUntil = Date.now() + BOOT_LIMIT_MS;
  while (Atomics.load(p.state, 0) === IDLE) {
    const left = bootUntil - Date.now();
    if (left <= 0 || Atomics.wait(p.state, 0, IDLE, left) === 'timed-out') {
      stopProbe();
      // Without a worker there is no way to bound the render: refuse rather than risk stalling the site.
      return 'timeout';
    }
  }
  // Measured in the worker thread's CPU time, so a busy machine does not make an ordinary article look slow.
  const tid = Atomics.load(p.state, 1);
  const cpuStart = threadCpuMs(tid);
  const wallStart = Date.now();
  while (Atomics.load(p.state, 0) === STARTED) {
    Atomics.wait(p.state, 0, STARTED, 20);
    if (Atomics.load(p.state, 0) !== STARTED) break;
    const cpuNow = cpuStart === undefined ? undefined : threadCpuMs(tid);
    const used = cpuStart !== undefined && cpuNow !== undefined ? cpuNow - cpuStart : Date.now() - wallStart;
    if (used > RENDER_LIMIT_MS || Date.now() - wallStart > RENDER_WALL_LIMIT_MS) {
      stopProbe();
      // Start the next worker now, off this thread, so the next probe does not wait for it to boot.
      probe = startProbe();
      return 'timeout';
    }
  }
  const msg = receiveMessageOnPort(p.port);
  return typeof msg?.message === 'string' ? msg.message : 'ok';
}
