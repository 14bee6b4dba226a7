// Server process concerns: timeouts, malformed requests, graceful shutdown.
// (Owned by the hardening work; this first version sets the basics.)

import type http from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { SitePages } from './http/SitePages.js';

export function configureServer(server: http.Server, _config: Config, _logger: Logger, _pages: SitePages): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
}

export function installShutdown(running: { close(): Promise<void> }, logger: Logger): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
