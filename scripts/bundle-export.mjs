// Bundles the compiled export worker (dist/export/exportWorker.js and everything it imports, Express's
// hundred-odd CommonJS files included) into one file, dist/exportWorker.bundle.js. Every export thread
// loads its modules before it can start: from one file that takes about 150 ms instead of 230 ms, and
// about 0.2 s off a 4,000-article export with two threads. `npm run build` makes it after tsc, and
// `npm run export` whenever it is missing or older than the compiled worker. The export uses the bundle
// only while it is at least as new as the compiled worker, and the compiled modules otherwise.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// esbuild turns a JSON file into a JavaScript object literal, which V8 parses and builds about twice as
// slowly as JSON.parse reads the same text: mime-db's 200 KB, which Express loads in every thread, took
// 24 ms that way against 11 ms.
const jsonAsParse = {
  name: 'json-as-parse',
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, (args) => ({ contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))});`, loader: 'js' }));
  },
};

export async function bundleExportWorker() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // A production install without devDependencies: the export runs from the compiled modules.
    return false;
  }
  const outfile = path.join(root, 'dist', 'exportWorker.bundle.js');
  await esbuild.build({
    entryPoints: [path.join(root, 'dist', 'export', 'exportWorker.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Without comments and indentation the file is a fifth smaller, and all ASCII (a comment in a
    // dependency was not): V8 then reads it as one-byte text, where a single other character made Node
    // decode all of it to UTF-16 first. Names are kept, for stack traces and profiles. About 25 ms less
    // per thread to load.
    minifyWhitespace: true,
    charset: 'ascii',
    plugins: [jsonAsParse],
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  });
  const first = readFileSync(outfile).findIndex((b) => b > 0x7f);
  if (first !== -1) process.stderr.write(`warning: ${outfile} is not all ASCII (byte ${first}), so it loads more slowly; write that character as an escape\n`);
  return true;
}

/** Bundles unless the export would already use the bundle (the rule is the export's own: bundledIfCurrent). */
export async function ensureExportBundle() {
  const { bundledIfCurrent } = await import(pathToFileURL(path.join(root, 'dist', 'export', 'exportSite.js')).href);
  const bundle = pathToFileURL(path.join(root, 'dist', 'exportWorker.bundle.js'));
  if (bundledIfCurrent(pathToFileURL(path.join(root, 'dist', 'export', 'exportWorker.js')), bundle) !== bundle) await bundleExportWorker();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleExportWorker();
