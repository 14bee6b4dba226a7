// Server process concerns: timeouts, malformed requests answered with the site's security headers,
// graceful shutdown. The numbers are deliberate; README.md, section Operations, explains each one.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { SitePages } from './http/SitePages.js';

export interface ServerTimeouts {
  /**
   * Longest a client may take to send one request's headers, counted from the request's first byte.
   * This is what disconnects a slowloris client (one header byte every few seconds). Node 18+ does not
   * apply it to an idle keep-alive connection waiting for its next request (keepAliveTimeout does that),
   * so it can sit below keepAliveTimeout without the load-balancer 502s that older Node versions caused.
   */
  readonly headersTimeout: number;
  /** Longest a whole request (headers and body) may take; must not be below headersTimeout. */
  readonly requestTimeout: number;
  /** Idle keep-alive connections are kept above a load balancer's usual 60 s idle timeout, so the balancer always closes first. */
  readonly keepAliveTimeout: number;
  /** How often Node checks headersTimeout and requestTimeout (its default, 30 s, would let slowloris last 40 s). */
  readonly connectionsCheckingInterval: number;
  /** A socket with no traffic at all for this long (e.g. a client that stopped reading a response) is destroyed. */
  readonly socketTimeout: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = Object.freeze({
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 65_000,
  connectionsCheckingInterval: 1_000,
  socketTimeout: 120_000,
});

/** Options for http.createServer: the checking interval can only be given when the server is created. */
export function serverOptions(t: ServerTimeouts = SERVER_TIMEOUTS): http.ServerOptions {
  return { connectionsCheckingInterval: t.connectionsCheckingInterval, headersTimeout: t.headersTimeout, requestTimeout: t.requestTimeout };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

/** Status for a parser or timeout error, as Node itself would choose it. */
export function clientErrorStatus(err: NodeJS.ErrnoException): number {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    // An unknown method token (e.g. FOO) is refused by Node's parser; it is still a method other than GET or HEAD.
    case 'HPE_INVALID_METHOD':
      return 405;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/**
 * Sets timeouts and answers requests Node rejects before the app sees them (headers too large, bad syntax,
 * too slow) with the site's error page and full security header set: Node's own bare responses carry none.
 */
export function configureServer(server: http.Server, _config: Config, logger: Logger | undefined, pages: SitePages, t: ServerTimeouts = SERVER_TIMEOUTS): void {
  if (t.headersTimeout > t.requestTimeout) throw new Error('headersTimeout must not exceed requestTimeout');
  server.headersTimeout = t.headersTimeout;
  server.requestTimeout = t.requestTimeout;
  server.keepAliveTimeout = t.keepAliveTimeout;
  server.timeout = t.socketTimeout;

  // Written straight to the socket: these requests never reach the app, and the connection is closed after.
  const answer = (socket: Duplex, status: number): void => {
    let body: Buffer;
    let headers: readonly string[];
    try {
      const p = pages.errorPage(status);
      body = p.identity.body;
      headers = p.identity.headers;
    } catch {
      body = Buffer.from(`${status} ${REASONS[status] ?? 'Bad Request'}\n`);
      headers = [...Object.entries(pages.baseHeaders).flat(), 'Cache-Control', 'no-store', 'Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)];
    }
    let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nDate: ${new Date().toUTCString()}\r\nConnection: close\r\n`;
    if (status === 405) head += 'Allow: GET, HEAD\r\n';
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]));
    // A client that never reads its answer must not keep the socket.
    setTimeout(() => socket.destroy(), 5_000).unref();
  };

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that went away needs no answer; neither does a socket whose response has already started.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(err);
    logger?.warn({ status, code: err.code }, 'client error');
    answer(socket, status);
  });

  // CONNECT never reaches the request handler; without a listener Node would just drop the connection.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    logger?.info({ method: 'CONNECT', status: 405 }, 'request');
    answer(socket, 405);
  });
}

export interface Drainable {
  readonly server: http.Server;
  /** Turns readiness to 503, stops watching content and closes the listening socket; resolves when every connection is gone. */
  close(): Promise<void>;
}

export interface ShutdownOptions {
  /** After this long, connections still open are cut so that the process ends within its stop timeout (10 s). */
  readonly deadlineMs?: number;
  /** How often idle keep-alive connections are closed while in-flight requests finish. */
  readonly idleSweepMs?: number;
}

/**
 * Stops taking requests, lets in-flight ones finish, closes keep-alive connections as they fall idle, and
 * cuts whatever is left at the deadline. Resolves 'drained' or 'forced'.
 */
export async function drain(running: Drainable, logger: Logger | undefined, opts: ShutdownOptions = {}): Promise<'drained' | 'forced'> {
  const deadlineMs = opts.deadlineMs ?? 8_000;
  const server = running.server;
  let forced = false;
  const sweep = setInterval(() => server.closeIdleConnections(), opts.idleSweepMs ?? 100);
  const deadline = setTimeout(() => {
    forced = true;
    logger?.warn({ deadlineMs }, 'shutdown deadline reached: closing the connections still open');
    server.closeAllConnections();
  }, deadlineMs);
  try {
    const closed = running.close();
    server.closeIdleConnections();
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
  return forced ? 'forced' : 'drained';
}

/** SIGTERM or SIGINT: drain and exit 0 (within 10 s); a second signal exits at once. */
export function installShutdown(running: Drainable, logger: Logger, opts: ShutdownOptions & { exit?: (code: number) => void } = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const flushThenExit = (code: number): void => {
    // The logger writes asynchronously; its last lines must reach stdout before the process ends.
    try {
      logger.flush(() => exit(code));
    } catch {
      exit(code);
    }
    setTimeout(() => exit(code), 500).unref();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      flushThenExit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    drain(running, logger, opts).then(
      (how) => {
        logger.info({ how }, 'shut down');
        flushThenExit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        flushThenExit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
