// The compiled build for the scripts operators run (`npm start`, `npm run export`): TypeScript is compiled
// to dist/ when dist/ is missing or older than src/, so they run Node's own JavaScript rather than tsx
// (for the export, tsx in every worker thread cost about 2 s).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles when needed, then imports dist/<relative> and returns the module. */
export async function importCompiled(relative) {
  const entry = path.join(root, 'dist', relative);
  const stale = !existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs;
  if (stale) {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  return import(pathToFileURL(entry).href);
}
