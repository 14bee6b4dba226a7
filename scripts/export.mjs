// `npm run export -- <folder>`: compile TypeScript when dist/ is missing or older than src/, bundle the
// export worker when its bundle is missing or older than the compiled worker, then export.
import { ensureExportBundle } from './bundle-export.mjs';
import { importCompiled } from './compiled.mjs';

const { main } = await importCompiled('cli/export.js');
await ensureExportBundle();
process.exitCode = await main(process.argv.slice(2));
