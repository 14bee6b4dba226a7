// `npm start`: compile TypeScript when dist/ is missing or older than src/, then serve in production mode.
import { importCompiled } from './compiled.mjs';

// In-process (no child), so SIGTERM reaches the server's own graceful shutdown.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';
const { main } = await importCompiled('server.js');
main();
