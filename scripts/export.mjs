// `npm run export -- <folder>`: compile TypeScript when dist/ is missing or older than src/, bundle the
// export worker when its bundle is missing or older than the compiled worker, then run the export in a
// process of its own, started with the Node options and allocator tuning it is made for
// (src/export/exportNodeFlags.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureExportBundle } from './bundle-export.mjs';
import { importCompiled } from './compiled.mjs';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'export.js');
const { EXPORT_NODE_FLAGS, exportEnv } = await importCompiled('export/exportNodeFlags.js');
await ensureExportBundle();

/** Runs the export CLI with `flags`; SIGINT and SIGTERM sent to this script are passed on to it. */
function run(flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, cli, ...process.argv.slice(2)], { stdio: 'inherit', env: exportEnv(process.env) });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, signal });
    });
  });
}

let r = await run(EXPORT_NODE_FLAGS);
// 9 is Node's own "invalid argument": a Node whose V8 no longer knows the options. The CLI never exits 9.
if (r.code === 9) {
  process.stderr.write(`warning: this Node does not accept ${EXPORT_NODE_FLAGS.join(' ')}; exporting without them (slower)\n`);
  r = await run([]);
}
if (r.signal) process.kill(process.pid, r.signal);
else process.exitCode = r.code ?? 1;
