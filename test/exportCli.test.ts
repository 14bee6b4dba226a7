// The export CLI's own parts: its arguments and its summary line.

import { describe, expect, it } from 'vitest';
import { formatSummary, parseArgs } from '../src/cli/export.js';
import type { ExportSummary } from '../src/export/exportSite.js';

const summary = (over: Partial<ExportSummary>): ExportSummary => ({
  outDir: 'out',
  urls: 6613,
  files: 6617,
  written: 6617,
  unchanged: 0,
  deleted: 0,
  redirects: 0,
  skipped: [],
  problems: [],
  threads: 2,
  ms: 2512.4,
  ...over,
});

describe('export CLI', () => {
  it('writes the summary with thousands separated by commas', () => {
    expect(formatSummary(summary({}))).toBe('exported 6,613 URLs to out in 2.51 s (2 threads): 6,617 files, 6,617 written, 0 unchanged, 0 deleted; 0 redirects');
    expect(formatSummary(summary({ urls: 1234567, files: 999, written: 1000, unchanged: 12, deleted: 1, redirects: 1, threads: 1, skipped: ['/x (404)'] }))).toBe(
      'exported 1,234,567 URLs to out in 2.51 s (1 thread): 999 files, 1,000 written, 12 unchanged, 1 deleted; 1 redirect\nnot served by the app, so not exported: /x (404)',
    );
  });

  it('reads its arguments', () => {
    expect(parseArgs(['site-out', '--no-precompress', '--threads', '3'])).toEqual({ outDir: 'site-out', precompress: false, force: false, threads: 3 });
    expect(parseArgs([])).toBe('the output folder is missing');
    expect(parseArgs(['a', 'b'])).toBe('one output folder only, got "a" and "b"');
  });
});
