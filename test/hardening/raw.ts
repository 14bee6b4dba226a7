// Helpers for the hardening suites: the app on a real loopback socket (configured as in production), and
// requests written byte for byte, so that hostile request lines reach the server exactly as an attacker sends them.

import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { Writable } from 'node:stream';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { configureServer, serverOptions, SERVER_TIMEOUTS, type ServerTimeouts } from '../../src/lifecycle.js';
import { createLogger } from '../../src/log.js';

export interface Listening {
  readonly server: http.Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(app: App, config: Config, logger?: Logger, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Promise<Listening> {
  const server = http.createServer(serverOptions(timeouts), app);
  configureServer(server, config, logger, app.pages, timeouts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly reason: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly raw: string;
}

/** Writes `data` as is and reads until the server closes the connection (or `timeoutMs`). */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve(parseResponse(raw));
    });
    socket.write(data);
  });
}

export function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i === -1) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: m ? Number(m[1]) : 0, reason: m?.[2] ?? '', headers, body: end === -1 ? '' : raw.slice(end + 4), raw };
}

/** A GET for `target` exactly as given (no normalisation), closing the connection after the answer. */
export function rawGet(port: number, target: string, extraHeaders = ''): Promise<RawResponse> {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: news.example\r\nConnection: close\r\n${extraHeaders}\r\n`);
}

/** A logger writing JSON lines into an array, for tests that check what is logged. */
export function captureLogger(level: Config['logLevel'] = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ logLevel: level }, sink), lines };
}

/** Signs of a leaked stack trace or internals in a response body. */
export const STACK_TRACE = /\bat [\w.<>]+ \(|node:internal|\/src\/[\w/]+\.ts|\.js:\d+:\d+|Error: /;
