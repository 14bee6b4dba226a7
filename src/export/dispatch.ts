// Sends one request through the site's request listener in-process and collects what it writes, so the
// export gets the exact body the server sends without paying for a socket round trip per page. The
// request and response are real node:http objects (Express sets its prototypes on them); only the three
// methods that would write to the socket are replaced by recorders.

import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders, type RequestListener } from 'node:http';
import { Socket } from 'node:net';
import type { Prepared } from '../http/prepared.js';

export interface Captured {
  readonly status: number;
  /** Response headers, names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Lowercased name -> the name as the app spelled it (X-DNS-Prefetch-Control). */
  readonly names: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface DispatchOptions {
  readonly method?: 'GET' | 'HEAD';
  readonly acceptEncoding?: string;
  /** A listener that never ends its response is a bug; fail rather than hang the export. */
  readonly timeoutMs?: number;
}

type Chunk = string | Uint8Array;

const toBuffer = (chunk: Chunk, encoding?: BufferEncoding): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

function flatten(headers: OutgoingHttpHeaders | readonly (string | string[])[] | undefined, into: Record<string, string>, names: Record<string, string>): void {
  if (!headers) return;
  const add = (name: string, v: unknown): void => {
    if (v === undefined) return;
    const lower = name.toLowerCase();
    into[lower] = Array.isArray(v) ? v.join(', ') : String(v);
    names[lower] = name;
  };
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
    return;
  }
  for (const [k, v] of Object.entries(headers)) add(k, v);
}

/**
 * What the app's fast path sends for a plain GET (no Accept-Encoding, no If-None-Match) of a page it has
 * prepared: the identity variant, with its status and headers. The export reads a prepared page this way
 * instead of making a request object per page; the export-equals-server test holds both to the same bytes.
 */
export function capturePrepared(p: Prepared): Captured {
  const headers: Record<string, string> = {};
  const names: Record<string, string> = {};
  flatten(p.identity.headers, headers, names);
  return { status: p.status, headers, names, body: p.identity.body };
}

// Never connected: IncomingMessage only keeps a reference to it, and nothing is written to it (the response
// methods that would are replaced below), so one serves every request.
const socket = new Socket();

export function dispatch(listener: RequestListener, urlPath: string, options: DispatchOptions = {}): Promise<Captured> {
  return new Promise<Captured>((resolve, reject) => {
    const req = new IncomingMessage(socket);
    req.method = options.method ?? 'GET';
    req.url = urlPath;
    req.httpVersion = '1.1';
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.headers = { host: 'localhost', 'accept-encoding': options.acceptEncoding ?? 'identity' };
    req.rawHeaders = ['Host', 'localhost', 'Accept-Encoding', options.acceptEncoding ?? 'identity'];
    req.push(null);
    const res = new ServerResponse(req);
    const chunks: Buffer[] = [];
    let status: number | undefined;
    const written: Record<string, string> = {};
    const writtenNames: Record<string, string> = {};
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new Error(`${req.method} ${urlPath}: the app did not finish its response within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    timer.unref();

    const writeHead = (code: number, ...rest: unknown[]): ServerResponse => {
      status = code;
      const last = rest[rest.length - 1];
      if (last && typeof last === 'object') flatten(last as OutgoingHttpHeaders, written, writtenNames);
      return res;
    };
    const write = (chunk: Chunk, encoding?: BufferEncoding | ((err?: Error | null) => void)): boolean => {
      chunks.push(toBuffer(chunk, typeof encoding === 'string' ? encoding : undefined));
      return true;
    };
    const end = (chunk?: Chunk | (() => void), encoding?: BufferEncoding | (() => void)): ServerResponse => {
      if (done) return res;
      if (chunk !== undefined && typeof chunk !== 'function') write(chunk, typeof encoding === 'string' ? encoding : undefined);
      done = true;
      clearTimeout(timer);
      const headers: Record<string, string> = {};
      const names: Record<string, string> = {};
      const set: OutgoingHttpHeaders = {};
      // getRawHeaderNames (Node >= 15.13) keeps the app's spelling; @types/node 20 does not declare it.
      for (const name of (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames()) set[name] = res.getHeader(name);
      flatten(set, headers, names);
      Object.assign(headers, written);
      Object.assign(names, writtenNames);
      // Prepared pages arrive in one chunk: no copy then.
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve({ status: status ?? res.statusCode, headers, names, body: req.method === 'HEAD' ? Buffer.alloc(0) : body });
      res.emit('finish');
      return res;
    };
    // Own properties shadow the prototype that Express swaps in, so they survive app.handle().
    Object.assign(res, { writeHead, write, end });
    try {
      listener(req, res);
    } catch (err) {
      done = true;
      clearTimeout(timer);
      reject(new Error(`${req.method} ${urlPath}: the app threw`, { cause: err }));
    }
  });
}
