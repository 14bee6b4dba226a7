// Entry point: read config, load content, listen. Everything else is built by createApp.

import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { openSite } from './openSite.js';

export async function start(config: Config): Promise<http.Server> {
  const logger = createLogger(config);
  for (const w of config.warnings) logger.warn(w);
  const site = await openSite(config, { logger });
  const app = createApp(config, site.store, { logger, loader: site.loader });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, host: config.host, articles: site.store.view.articles.length }, `listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
  return server;
}

/** Reads the environment and serves; exits 1 with a message naming the variable when config is invalid. */
export function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  start(config).catch((err: unknown) => {
    process.stderr.write(`could not start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) main();
