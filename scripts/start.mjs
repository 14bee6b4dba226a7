// `npm start`: compile TypeScript when dist/ is missing or older than src/, then serve in production mode.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'server.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs;
if (stale) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// In-process (no child), so SIGTERM reaches the server's own graceful shutdown.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
const { main } = await import(pathToFileURL(entry).href);
main();
