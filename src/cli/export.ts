// `npm run export -- <out-dir> [--no-precompress] [--threads N] [--force]`: the whole public site as files
// for a static host or CDN (see README, Deploying). Exit codes: 0 done, 1 the export failed, 2 wrong use
// (no SITE_URL, bad arguments, an unsafe output folder).

import { pathToFileURL } from 'node:url';
import { ExportError, exportSite, type ExportOptions, type ExportSummary } from '../export/exportSite.js';
import { describeError } from '../export/describeError.js';
import { missingNodeFlags } from '../export/exportNodeFlags.js';

const USAGE = 'usage: SITE_URL=https://news.example npm run export -- <out-dir> [--no-precompress] [--threads N] [--force]';

export function parseArgs(argv: readonly string[]): Omit<ExportOptions, 'env' | 'cwd'> | string {
  let outDir: string | undefined;
  let precompress = true;
  let force = false;
  let threads: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-precompress') precompress = false;
    else if (arg === '--force') force = true;
    else if (arg === '--threads' || arg.startsWith('--threads=')) {
      const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (raw === undefined || !/^[1-9]\d?$/.test(raw)) return `--threads needs a whole number from 1 to 99, got ${raw === undefined ? 'nothing' : `"${raw}"`}`;
      threads = Number(raw);
    } else if (arg === '--help' || arg === '-h') return USAGE;
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (outDir === undefined) outDir = arg;
    else return `one output folder only, got "${outDir}" and "${arg}"`;
  }
  if (outDir === undefined) return 'the output folder is missing';
  return { outDir, precompress, force, ...(threads !== undefined ? { threads } : {}) };
}

// Thousands with commas, as en-US writes them; toLocaleString loaded ICU's number formatting for it, about
// 20 ms at the very end of every export.
const n = (x: number): string => String(x).replace(/\B(?=(\d{3})+$)/g, ',');

export function formatSummary(s: ExportSummary): string {
  const lines = [
    `exported ${n(s.urls)} URLs to ${s.outDir} in ${(s.ms / 1000).toFixed(2)} s (${s.threads} thread${s.threads === 1 ? '' : 's'}): ` +
      `${n(s.files)} files, ${n(s.written)} written, ${n(s.unchanged)} unchanged, ${n(s.deleted)} deleted; ${n(s.redirects)} redirect${s.redirects === 1 ? '' : 's'}`,
  ];
  if (s.skipped.length > 0) lines.push(`not served by the app, so not exported: ${s.skipped.join(', ')}`);
  return lines.join('\n');
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const args = parseArgs(argv);
  if (args === USAGE) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n${USAGE}\n`);
    return 2;
  }
  const missing = missingNodeFlags(process.execArgv, process.env);
  if (missing.length > 0) process.stderr.write(`note: started without ${missing.join(' ')}, which npm run export sets; the export takes longer without (about 15% without the options, 5% without the tunables)\n`);
  try {
    const summary = await exportSite(args);
    for (const p of summary.problems) process.stderr.write(`warning: ${p}\n`);
    if (summary.problems.length > 0) process.stderr.write(`warning: ${summary.problems.length} content problem(s); files with errors are left out (run npm run check)\n`);
    process.stdout.write(`${formatSummary(summary)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`export failed: ${describeError(err)}\n`);
    return err instanceof ExportError ? err.exitCode : 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) process.exitCode = await main();
