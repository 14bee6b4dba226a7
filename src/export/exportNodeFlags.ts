// Node options for the export's own process, given on its command line by `npm run export`
// (scripts/export.mjs) and by `npm run bench:export`. V8 reads them once, when the process starts: Node
// refuses V8 options in a worker thread's execArgv, and v8.setFlagsFromString from inside the export
// changed nothing measurable.
//
// --interrupt-budget: how much bytecode a function runs before V8 next considers optimising it (67,584 in
// Node 20's V8). That suits a page or a server that runs for minutes. An export runs for seconds, and
// with the default its three isolates (the coordinator and two workers) made 549 optimised compilations
// on 4,000 articles; the optimising compiler took 23% of all CPU time (2.8 of 12.2 s, sampled with perf),
// mostly for functions that did not run long enough afterwards to pay it back. With 400,000: 176
// compilations, 0.8 s, total CPU 10.1 s, and the export 9% faster in interleaved runs. 1,000,000 timed
// the same as 400,000. The server is not started with it: it runs long enough for V8's default.
//
// --single-threaded: V8 does its garbage collection and optimising compilation on the thread that needs
// them instead of handing parts to background threads. The export's worker threads already keep every
// core busy, so those helpers only competed with them (and with each other, one set per isolate). On the
// 4,000-article corpus, written to tmpfs in interleaved runs: 4.04-4.20 s against 4.36-5.08 s with the
// budget alone, and 4.94-5.15 s with neither option. --single-threaded-gc alone gave 4.18-4.28 s.
export const EXPORT_NODE_FLAGS: readonly string[] = Object.freeze(['--interrupt-budget=400000', '--single-threaded']);

/** The EXPORT_NODE_FLAGS this process was not started with (`execArgv`: process.execArgv). */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  return EXPORT_NODE_FLAGS.filter((f) => !execArgv.includes(f));
}
