// A prepared response: body, compressed variants, strong ETags and the full header set, built once per
// content state and written with one writeHead + end per request. The same function serves the fast path
// (before Express) and Express routes, so both give identical responses.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants as zc, gzip, gzipSync } from 'node:zlib';
import { httpDate } from '../dates.js';

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  readonly body: Buffer;
  /** Undefined when made without (see PrepareOptions.etag). */
  readonly etag: string | undefined;
  /** Flat [name, value, ...] array for writeHead: the fastest form Node accepts. */
  readonly headers: readonly string[];
  readonly notModifiedHeaders: readonly string[];
}

export interface Prepared {
  readonly status: number;
  readonly type: string;
  readonly lastModified: number | undefined;
  readonly identity: Variant;
  readonly gzip: Variant | undefined;
  readonly br: Variant | undefined;
  /**
   * Set when the compressed variants were left for later (compress: 'later'): makes them off the main
   * thread and resolves to the complete response (the same identity variant, ETag and headers).
   */
  readonly complete?: () => Promise<Prepared>;
}

export interface PrepareOptions {
  readonly status?: number;
  readonly type: string;
  readonly cacheControl: string;
  readonly lastModified?: number;
  /** Headers every response carries (security headers), as name -> value. */
  readonly baseHeaders: Readonly<Record<string, string>>;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /**
   * Compress when it pays (text bodies over a few hundred bytes). 'later': the response is sent
   * uncompressed (already with Vary: Accept-Encoding) until complete() has made the variants.
   */
  readonly compress?: boolean | 'later';
  /**
   * Give each variant a strong ETag (default true). The static export, which never sends one, leaves them
   * out: hashing every page cost about 0.1 s of a 4,000-article export.
   */
  readonly etag?: boolean;
}

const MIN_COMPRESS = 256;

function etagOf(body: Buffer, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}${suffix}"`;
}

function variant(body: Buffer, encoding: Encoding, opts: PrepareOptions, compressible: boolean): Variant {
  const etag = opts.etag === false ? undefined : etagOf(body, encoding === 'identity' ? '' : `-${encoding}`);
  const common: string[] = [];
  for (const [k, v] of Object.entries(opts.baseHeaders)) common.push(k, v);
  for (const [k, v] of Object.entries(opts.extraHeaders ?? {})) common.push(k, v);
  common.push('Cache-Control', opts.cacheControl);
  if (etag !== undefined) common.push('ETag', etag);
  if (compressible) common.push('Vary', 'Accept-Encoding');
  if (opts.lastModified !== undefined && opts.lastModified > 0) common.push('Last-Modified', httpDate(opts.lastModified));
  const headers = [...common, 'Content-Type', opts.type, 'Content-Length', String(body.length)];
  if (encoding !== 'identity') headers.push('Content-Encoding', encoding);
  return { body, etag, headers, notModifiedHeaders: common };
}

// gzip level 6 and brotli quality 5: about 0.3 ms each for a 15 KB page, within a few % of the best ratio.
const GZIP_OPTIONS = { level: 6 };
const brotliOptions = (size: number): { params: Record<number, number> } => ({ params: { [zc.BROTLI_PARAM_QUALITY]: 5, [zc.BROTLI_PARAM_SIZE_HINT]: size } });
const gzipLater = promisify(gzip);
const brotliLater = promisify(brotliCompress);

export function prepare(body: string | Buffer, opts: PrepareOptions): Prepared {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const compressible = (opts.compress ?? true) !== false && buf.length >= MIN_COMPRESS;
  const base = { status: opts.status ?? 200, type: opts.type, lastModified: opts.lastModified, identity: variant(buf, 'identity', opts, compressible) };
  if (!compressible) return { ...base, gzip: undefined, br: undefined };
  if (opts.compress === 'later') {
    // zlib's asynchronous calls run in libuv's thread pool: the event loop keeps answering meanwhile. One
    // at a time, so that on a 2-core machine a core stays free for requests.
    const complete = async (): Promise<Prepared> => {
      const gz = await gzipLater(buf, GZIP_OPTIONS);
      const br = await brotliLater(buf, brotliOptions(buf.length));
      return { ...base, gzip: variant(gz, 'gzip', opts, true), br: variant(br, 'br', opts, true) };
    };
    return { ...base, gzip: undefined, br: undefined, complete };
  }
  return {
    ...base,
    gzip: variant(gzipSync(buf, GZIP_OPTIONS), 'gzip', opts, true),
    br: variant(brotliCompressSync(buf, brotliOptions(buf.length)), 'br', opts, true),
  };
}

const encodingCache = new Map<string, Encoding>();

/** Picks br, then gzip, then identity from Accept-Encoding, honouring q=0. */
export function negotiate(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const hit = encodingCache.get(header);
  if (hit) return hit;
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const star = q.get('*');
  const accepts = (enc: string): boolean => (q.get(enc) ?? star ?? 0) > 0;
  const result: Encoding = accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
  if (encodingCache.size < 256) encodingCache.set(header, result);
  return result;
}

function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  for (const tag of ifNoneMatch.split(',')) {
    const t = tag.trim().replace(/^W\//, '');
    if (t === etag) return true;
  }
  return false;
}

/**
 * Writes a prepared response: content negotiation, 304 for a matching If-None-Match, no body for HEAD.
 * `extra` ([name, value, ...]) adds per-request headers such as X-Request-Id.
 */
export function sendPrepared(req: IncomingMessage, res: ServerResponse, p: Prepared, extra?: readonly string[]): void {
  const enc = negotiate(req.headers['accept-encoding']);
  const v = (enc === 'br' ? p.br : enc === 'gzip' ? p.gzip : undefined) ?? p.identity;
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && p.status === 200 && v.etag !== undefined && matches(inm, v.etag)) {
    res.writeHead(304, (extra ? v.notModifiedHeaders.concat(extra) : v.notModifiedHeaders) as string[]);
    res.end();
    return;
  }
  res.writeHead(p.status, (extra ? v.headers.concat(extra) : v.headers) as string[]);
  if (req.method === 'HEAD') res.end();
  else res.end(v.body);
}
