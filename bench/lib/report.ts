// Plain-text tables for the benchmark's results.

import type { LoadResult } from './load.js';

export interface Target {
  readonly name: string;
  readonly ok: boolean;
  readonly value: string;
}

const pad = (s: string, n: number, right = false): string => (right ? s.padStart(n) : s.padEnd(n));

/** One line per run: req/s, p50, p99, and req/s and p99 as ratios to the baseline. */
export function formatTable(rows: readonly (readonly [string, LoadResult])[], baseline: LoadResult): string {
  const head = `${pad('server / page', 28)}${pad('req/s', 10, true)}${pad('p50 ms', 9, true)}${pad('p99 ms', 9, true)}${pad('x node req/s', 14, true)}${pad('x node p99', 12, true)}`;
  const lines = rows.map(
    ([name, r]) =>
      `${pad(name, 28)}${pad(Math.round(r.rps).toString(), 10, true)}${pad(r.p50.toFixed(2), 9, true)}${pad(r.p99.toFixed(2), 9, true)}${pad((r.rps / baseline.rps).toFixed(2), 14, true)}${pad((r.p99 / baseline.p99).toFixed(2), 12, true)}`,
  );
  return [head, ...lines].join('\n');
}

/** PASS/MISS per target. */
export function verdict(targets: readonly Target[]): string {
  return targets.map((t) => `${t.ok ? 'PASS' : 'MISS'}  ${t.name}: ${t.value}`).join('\n');
}
