// Entry point: read config, load content, listen. Everything else is built by createApp.
// Pieces with one concern each: watchContent (live reload), lifecycle (timeouts, shutdown),
// cluster (WEB_CONCURRENCY workers).

import http from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { openSite, type OpenSite } from './openSite.js';
import { watchContent, type ContentWatcher } from './watchContent.js';
import { configureServer, installShutdown, serverOptions } from './lifecycle.js';
import { runCluster } from './cluster.js';
import { keepWarm } from './http/warmUp.js';

export interface Running {
  readonly server: http.Server;
  readonly site: OpenSite;
  readonly watcher: ContentWatcher;
  readonly logger: Logger;
  /** Stops watching and closes the server (used by tests and by graceful shutdown). */
  close(): Promise<void>;
}

/** Loads content and listens on config.port (0 picks a free port). */
export async function start(config: Config, logger: Logger = createLogger(config)): Promise<Running> {
  for (const w of config.warnings) logger.warn(w);
  const site = await openSite(config, { logger });
  let draining = false;
  const app = createApp(config, site.store, { logger, loader: site.loader, isDraining: () => draining });
  const server = http.createServer(serverOptions(), app);
  configureServer(server, config, logger, app.pages);
  const watcher = watchContent(config, site, logger);
  app.pages.deferCompression = true;
  const warmer = keepWarm(app.express, site.store);
  app.pages.deferCompression = false;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  app.pages.completeCompression().catch((err: unknown) => logger.error({ err }, 'compressing the prepared pages failed'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, host: config.host, articles: site.store.view.articles.length }, `listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`);
  const running: Running = {
    server,
    site,
    watcher,
    logger,
    async close() {
      draining = true;
      warmer.stop();
      await watcher.close();
      site.store.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return Object.assign(running, {
    setDraining(v: boolean) {
      draining = v;
    },
  });
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
  runCluster(config, async () => {
    const logger = createLogger(config);
    const running = await start(config, logger);
    installShutdown(running, logger);
  }).catch((err: unknown) => {
    process.stderr.write(`could not start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) main();
