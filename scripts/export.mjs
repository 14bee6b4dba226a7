// `npm run export -- <folder>`: compile TypeScript when dist/ is missing or older than src/, then export.
import { importCompiled } from './compiled.mjs';

const { main } = await importCompiled('cli/export.js');
process.exitCode = await main(process.argv.slice(2));
