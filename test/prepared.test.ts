// Prepared responses: variants, strong ETags per encoding, the header set, negotiation and sending.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDate } from '../src/dates.js';
import { negotiate, prepare, sendPrepared, type Prepared } from '../src/http/prepared.js';

const BASE = { 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' };
const HTML = 'text/html; charset=utf-8';
const LONG = `<p>${'All the news that fits. '.repeat(40)}</p>`;

const pairs = (flat: readonly string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};

describe('prepare', () => {
  const p = prepare(LONG, { type: HTML, cacheControl: 'public, max-age=60', baseHeaders: BASE, lastModified: Date.UTC(2024, 2, 22, 9, 30) });

  it('keeps identity, gzip and brotli variants that decode to the same bytes', () => {
    expect(p.identity.body.toString()).toBe(LONG);
    expect(gunzipSync(p.gzip!.body).toString()).toBe(LONG);
    expect(brotliDecompressSync(p.br!.body).toString()).toBe(LONG);
    expect(p.br!.body.length).toBeLessThan(LONG.length / 4);
  });

  it('gives each variant a strong ETag from its body: stable, and different per encoding', () => {
    const again = prepare(LONG, { type: HTML, cacheControl: 'no-store', baseHeaders: {} });
    expect(p.identity.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(p.gzip!.etag).toMatch(/^"[A-Za-z0-9_-]{27}-gzip"$/);
    expect(p.br!.etag).toMatch(/^"[A-Za-z0-9_-]{27}-br"$/);
    expect(new Set([p.identity.etag, p.gzip!.etag, p.br!.etag]).size).toBe(3);
    expect(again.identity.etag).toBe(p.identity.etag);
    expect(prepare(`${LONG} `, { type: HTML, cacheControl: 'no-store', baseHeaders: {} }).identity.etag).not.toBe(p.identity.etag);
  });

  it('leaves the ETags out when asked (the static export): same body and headers otherwise', () => {
    const bare = prepare(LONG, { type: HTML, cacheControl: 'public, max-age=60', baseHeaders: BASE, lastModified: Date.UTC(2024, 2, 22, 9, 30), etag: false });
    expect(bare.identity.etag).toBeUndefined();
    expect(bare.identity.body.equals(p.identity.body)).toBe(true);
    const { ETag, ...rest } = pairs(p.identity.headers);
    expect(ETag).toBe(p.identity.etag);
    expect(pairs(bare.identity.headers)).toEqual(rest);
    expect(bare.identity.headers).not.toContain('ETag');
  });

  it('carries the base headers, caching headers, type and length; the 304 set has no body headers', () => {
    expect(pairs(p.br!.headers)).toEqual({
      ...BASE,
      'Cache-Control': 'public, max-age=60',
      ETag: p.br!.etag,
      Vary: 'Accept-Encoding',
      'Last-Modified': httpDate(Date.UTC(2024, 2, 22, 9, 30)),
      'Content-Type': HTML,
      'Content-Length': String(p.br!.body.length),
      'Content-Encoding': 'br',
    });
    expect(pairs(p.identity.notModifiedHeaders)).toEqual({ ...BASE, 'Cache-Control': 'public, max-age=60', ETag: p.identity.etag, Vary: 'Accept-Encoding', 'Last-Modified': 'Fri, 22 Mar 2024 09:30:00 GMT' });
  });

  it('does not compress small bodies (no variants, no Vary), nor when asked not to', () => {
    const small = prepare('User-agent: *\n', { type: 'text/plain', cacheControl: 'public', baseHeaders: {} });
    expect(small.gzip).toBeUndefined();
    expect(small.br).toBeUndefined();
    expect(pairs(small.identity.headers).Vary).toBeUndefined();
    expect(prepare(LONG, { type: HTML, cacheControl: 'public', baseHeaders: {}, compress: false }).br).toBeUndefined();
  });

  it("compress: 'later' sends identity (already with Vary) until complete() makes the same variants", async () => {
    const later = prepare(LONG, { type: HTML, cacheControl: 'public, max-age=60', baseHeaders: BASE, lastModified: Date.UTC(2024, 2, 22, 9, 30), compress: 'later' });
    expect(later.gzip).toBeUndefined();
    expect(later.br).toBeUndefined();
    expect(later.identity.headers).toEqual(p.identity.headers);
    expect(pairs(later.identity.headers).Vary).toBe('Accept-Encoding');
    const done = await later.complete!();
    expect(done.identity).toBe(later.identity);
    expect(done.complete).toBeUndefined();
    expect(done.gzip!.body.equals(p.gzip!.body)).toBe(true);
    expect(done.br!.body.equals(p.br!.body)).toBe(true);
    expect(done.br!.headers).toEqual(p.br!.headers);
    expect(prepare('User-agent: *\n', { type: 'text/plain', cacheControl: 'public', baseHeaders: {}, compress: 'later' }).complete).toBeUndefined();
  });
});

describe('negotiate', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['deflate', 'identity'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['*, br;q=0', 'gzip'],
    ['identity', 'identity'],
  ] as const)('%s -> %s', (header, expected) => {
    expect(negotiate(header)).toBe(expected);
  });
});

describe('sendPrepared', () => {
  let server: http.Server;
  let current: Prepared;
  let extra: string[] | undefined;
  beforeAll(async () => {
    server = http.createServer((req, res) => sendPrepared(req, res, current, extra));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const send = (headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('writes the negotiated variant, adds per-request headers, and answers 304 and HEAD without a body', async () => {
    current = prepare(LONG, { type: HTML, cacheControl: 'public, max-age=60', baseHeaders: BASE });
    extra = ['X-Request-Id', 'abc-1'];
    const br = await send({ 'accept-encoding': 'br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['x-request-id']).toBe('abc-1');
    expect(br.body.equals(current.br!.body)).toBe(true);

    const notModified = await send({ 'accept-encoding': 'br', 'if-none-match': current.br!.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(current.br!.etag);
    expect(notModified.headers['x-request-id']).toBe('abc-1');
    // The identity ETag does not match the brotli variant.
    expect((await send({ 'accept-encoding': 'br', 'if-none-match': current.identity.etag! })).status).toBe(200);

    extra = undefined;
    const head = await send({}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(LONG.length));
    expect(head.headers['x-request-id']).toBeUndefined();
  });

  it('never answers 304 for an error page', async () => {
    current = prepare(LONG, { status: 404, type: HTML, cacheControl: 'no-store', baseHeaders: BASE });
    expect((await send({ 'if-none-match': '*' })).status).toBe(404);
  });
});
