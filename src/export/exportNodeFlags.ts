// Node options for the export's own process, given on its command line by `npm run export`
// (scripts/export.mjs) and by `npm run bench:export`, which also set its environment (exportEnv, below).
// V8 reads them once, when the process starts: Node refuses V8 options in a worker thread's execArgv,
// and v8.setFlagsFromString from inside the export changed nothing measurable.
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

/**
 * What of npm run export's tuning this process was started without: the EXPORT_NODE_FLAGS missing from
 * `execArgv` (process.execArgv), and GLIBC_TUNABLES when `env` has none.
 */
export function missingNodeFlags(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const missing = EXPORT_NODE_FLAGS.filter((f) => !execArgv.includes(f));
  if (env.GLIBC_TUNABLES === undefined) missing.push('GLIBC_TUNABLES');
  return missing;
}

// GLIBC_TUNABLES: glibc reads it when the process starts (other C libraries ignore it). On this kind of
// virtual machine the first touch of each 4 KB page of fresh memory is the costly part of allocating it,
// and the export's pages, feeds, shared rings and body slabs are malloc'd memory. The tuning:
//   hugetlb=1                the allocator asks for transparent huge pages (where the kernel allows them
//                            on request, its default): one first touch per 2 MB instead of 512;
//   top_pad=64 MB            its heap grows in steps large enough for huge pages;
//   mmap_threshold=4 MB      a feed's body (about 150 KB) comes from that heap, not a mapping of its own
//                            made and unmade for each feed;
//   trim_threshold=512 MB    freed memory stays with the process for the next pages instead of going back
//                            to the kernel.
// On the 4,000-article corpus: 36,000 page faults against 63,000, and the export 5-7% faster in
// interleaved runs (2.53-2.63 s against 2.74-2.80 s on tmpfs); about 30 MB more memory at its peak.
export const EXPORT_MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864:glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=536870912';

// NODE_EXTRA_CA_CERTS: Node reads and parses the certificate file it names while the process starts,
// before any of our code runs (35-40 ms here, where it names a large bundle). The export opens no
// network connection, so it is left out of the export's environment.

/**
 * The environment `npm run export` starts the export in: `env` with GLIBC_TUNABLES set to
 * EXPORT_MALLOC_TUNABLES, unless the operator has set GLIBC_TUNABLES (theirs is kept as it is), and
 * without NODE_EXTRA_CA_CERTS.
 */
export function exportEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  delete out.NODE_EXTRA_CA_CERTS;
  if (out.GLIBC_TUNABLES === undefined) out.GLIBC_TUNABLES = EXPORT_MALLOC_TUNABLES;
  return out;
}
