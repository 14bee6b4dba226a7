/**
 * `npm run bench:export [-- --articles 4000 --runs 3 --threads N --keep]`
 *
 * Times the static export against Hugo on the same generated corpus, side by side in one run on the same
 * machine: `node <EXPORT_NODE_FLAGS> dist/cli/export.js <out> --no-precompress` (the compiled export with
 * its bundled worker, built as `npm run build` builds them, started with the Node options and the
 * GLIBC_TUNABLES that `npm run export` gives it) and `hugo --quiet -d <out>` building a minimal site that
 * renders single pages only (layouts/_default/single.html with the title and .Content). Each is run
 * `--runs` times, alternately, into an empty folder, after a `sync`, timed from process start to exit; the
 * medians, their ratio and the median of each run's own ratio are printed.
 *
 * It installs nothing: when `hugo` is not on PATH it says how to get it and times the export alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPORT_NODE_FLAGS, exportEnv } from '../src/export/exportNodeFlags.js';
import { generateCorpus } from './gen.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  articles: number;
  runs: number;
  threads: number | undefined;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { articles: 4000, runs: 3, threads: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--articles') args.articles = num();
    else if (a === '--runs') args.runs = num();
    else if (a === '--threads') args.threads = num();
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown argument ${a}; usage: npm run bench:export -- [--articles N] [--runs N] [--threads N] [--keep]`);
  }
  return args;
}

function onPath(cmd: string): boolean {
  return spawnSync(cmd, ['version'], { stdio: 'ignore' }).error === undefined;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

/** Wall time of one command, from spawn to exit, in ms; throws with its stderr when it fails. */
function timed(cmd: string, argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.stdout.write('building (npm run build)...\n');
  // The whole build, not tsc alone: tsc rewrites every compiled file, and without the bundle step after it
  // the export would find its worker bundle older than the compiled worker and run the slower modules.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}${build.error ?? ''}`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'newsroom-export-bench-'));
  try {
    const content = path.join(tmp, 'content');
    const publicDir = path.join(tmp, 'public');
    cpSync(path.join(ROOT, 'public'), publicDir, { recursive: true });
    const t0 = performance.now();
    const gen = await generateCorpus(args.articles, content, undefined, { publicDir });
    process.stdout.write(`generated ${gen.articles} articles (${gen.images} images) in ${secs(performance.now() - t0)}\n`);

    const hugo = onPath('hugo');
    const hugoSite = path.join(tmp, 'hugo-site');
    if (hugo) {
      mkdirSync(path.join(hugoSite, 'layouts', '_default'), { recursive: true });
      writeFileSync(
        path.join(hugoSite, 'hugo.toml'),
        [
          'baseURL = "https://news.example/"',
          `contentDir = ${JSON.stringify(content)}`,
          '# Single pages only: no home, sections, taxonomies, feeds, sitemap or robots.txt.',
          'disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]',
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(hugoSite, 'layouts', '_default', 'single.html'),
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{{ .Title }}</title></head>\n<body><h1>{{ .Title }}</h1>\n{{ .Content }}\n</body>\n</html>\n',
      );
      const v = spawnSync('hugo', ['version'], { encoding: 'utf8' }).stdout.trim();
      process.stdout.write(`hugo: ${v}\n`);
    } else {
      process.stdout.write('hugo is not on PATH, so only the export is timed. To compare, install it: apt-get install hugo (Debian/Ubuntu), or see https://gohugo.io/installation/\n');
    }

    // The export's process is set up as npm run export sets it up: its Node options and allocator tuning.
    const env = exportEnv({ ...process.env, SITE_URL: 'https://news.example', CONTENT_DIR: content, PUBLIC_DIR: publicDir, NODE_ENV: 'production', LOG_LEVEL: 'silent' });
    const exportCli = path.join(ROOT, 'dist', 'cli', 'export.js');
    const exportOptions = ['--no-precompress', ...(args.threads ? ['--threads', String(args.threads)] : [])];
    const times = { export: [] as number[], hugo: [] as number[] };
    let exportFiles = 0;
    let hugoFiles = 0;
    // Each run writes into a new folder, and nothing is deleted until the end: ext4 skips inodes freed in
    // the last minutes when it allocates new ones, so deleting one run's 6,000 files just before the next
    // made file creation several times slower (for whichever tool came next).
    // Each timed run also starts once the disk has written out what came before it (`sync`): the kernel
    // writes dirty pages back about 30 s after they are made, in the middle of later runs, and on this
    // machine a run during such writeback took up to 30% longer (whichever tool it was).
    const settle = (): void => void spawnSync('sync', { stdio: 'ignore' });
    for (let run = 1; run <= args.runs; run++) {
      const exportOut = path.join(tmp, `export-out-${run}`);
      settle();
      const e = await timed(process.execPath, [...EXPORT_NODE_FLAGS, exportCli, exportOut, ...exportOptions], env, ROOT);
      times.export.push(e);
      exportFiles = countFiles(exportOut);
      let line = `run ${run}: export ${secs(e)} (${exportFiles} files)`;
      if (hugo) {
        const hugoOut = path.join(tmp, `hugo-out-${run}`);
        settle();
        const h = await timed('hugo', ['--quiet', '-s', hugoSite, '-d', hugoOut], process.env, tmp);
        times.hugo.push(h);
        hugoFiles = countFiles(hugoOut);
        line += `, hugo ${secs(h)} (${hugoFiles} files), ratio ${(e / h).toFixed(2)}`;
      }
      process.stdout.write(`${line}\n`);
    }

    const cores = os.availableParallelism();
    const ex = median(times.export);
    process.stdout.write(`\n${args.articles} articles, ${cores} cores, median of ${args.runs}:\n`);
    process.stdout.write(`  export --no-precompress  ${secs(ex)}  (every article, page, listing, tag and author page, feed, sitemap: ${exportFiles} files)\n`);
    if (hugo) {
      const hu = median(times.hugo);
      process.stdout.write(`  hugo (single pages only) ${secs(hu)}  (${hugoFiles} files)\n`);
      process.stdout.write(`  ratio export/hugo        ${(ex / hu).toFixed(2)} (${ex < hu ? `export ${(hu / ex).toFixed(2)}x faster` : `export ${(ex / hu).toFixed(2)}x slower`})\n`);
      // The two run one after the other, so each run's own ratio shares the machine's speed of that moment.
      const ratios = times.export.map((e, i) => e / times.hugo[i]!);
      process.stdout.write(`  median of run ratios     ${median(ratios).toFixed(2)}\n`);
    }
    if (args.keep) process.stdout.write(`kept ${tmp}\n`);
  } finally {
    if (!args.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:export failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
