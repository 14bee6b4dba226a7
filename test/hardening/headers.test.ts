// Every response type carries the full security header set, scored by the MDN HTTP Observatory's
// published rules (v2, github.com/mdn/mdn-http-observatory: src/grader/charts.js SCORE_TABLE and
// src/analyzer/tests/*.js): start at 100, subtract penalties, add bonuses only when the result is >= 90;
// 100 and above is A+. The HTTP-to-HTTPS redirection and HSTS preloading are the TLS proxy's part (see
// README.md, section Operations); the scorer takes the redirection test as passed (modifier 0) and says so.

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSites, makeSite, md, type TestSite } from '../helpers/site.js';
import { png } from '../helpers/png.js';
import { listen, rawGet, rawRequest, type Listening, type RawResponse } from './raw.js';

type Headers = Readonly<Record<string, string | undefined>>;

interface Score {
  readonly score: number;
  readonly grade: string;
  readonly modifiers: Readonly<Record<string, number>>;
}

const BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
const UNSAFE_INLINE = new Set(["'unsafe-inline'", 'data:']);

function parseCsp(value: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (out.has(key)) throw new Error(`duplicate directive ${key}`);
    out.set(key, new Set(sources.map((s) => s.toLowerCase())));
  }
  return out;
}

/** The Observatory v2 tests that depend on response headers, with their modifiers. */
export function observatoryScore(h: Headers, opts: { isHtml: boolean }): Score {
  const m: Record<string, number> = {};

  // Content Security Policy (csp.js)
  const cspHeader = h['content-security-policy'];
  if (!cspHeader) m['csp-not-implemented'] = -25;
  else {
    let csp: Map<string, Set<string>> | undefined;
    try {
      csp = parseCsp(cspHeader);
    } catch {
      m['csp-header-invalid'] = -25;
    }
    if (csp) {
      const get = (d: string): Set<string> => csp.get(d) ?? csp.get('default-src') ?? new Set(['*']);
      const script = get('script-src');
      const object = get('object-src');
      const style = get('style-src');
      const active = [...csp.entries()].filter(([d]) => d !== 'img-src' && d !== 'media-src').flatMap(([, s]) => [...s]);
      const formAction = csp.get('form-action') ?? new Set(['*']);
      if ([...script].some((s) => BROAD.has(s) || UNSAFE_INLINE.has(s)) || [...object].some((s) => BROAD.has(s))) m['csp-implemented-with-unsafe-inline'] = -20;
      else if (active.some((s) => s.startsWith('http:') || s.startsWith('ftp:'))) m['csp-implemented-with-insecure-scheme'] = -20;
      else if ([...script, ...style].includes("'unsafe-eval'")) m['csp-implemented-with-unsafe-eval'] = -10;
      else if ([...style].some((s) => BROAD.has(s) || UNSAFE_INLINE.has(s))) m['csp-implemented-with-unsafe-inline-in-style-src-only'] = 0;
      else if (csp.get('default-src')?.has("'none'") && csp.get('default-src')?.size === 1 && ![...formAction].some((s) => BROAD.has(s))) {
        m['csp-implemented-with-no-unsafe-default-src-none'] = 10;
      } else m['csp-implemented-with-no-unsafe'] = 5;
    }
  }

  // Cookies (cookies.js): none is 0.
  m[h['set-cookie'] ? 'cookies-set (review by hand)' : 'cookies-not-found'] = h['set-cookie'] ? -40 : 0;

  // CORS (cors.js)
  const acao = h['access-control-allow-origin'];
  m[acao === undefined ? 'cross-origin-resource-sharing-not-implemented' : acao === '*' ? 'cross-origin-resource-sharing-implemented-with-public-access' : 'cross-origin-resource-sharing-implemented-with-restricted-access'] =
    acao !== undefined && h['access-control-allow-credentials'] === 'true' ? -50 : 0;

  // Redirection (redirection.js): the TLS-terminating proxy redirects http:// to https:// on the same host.
  m['redirection-to-https (TLS proxy)'] = 0;

  // Referrer Policy (referrer-policy.js): the last recognised token wins.
  const tokens = (h['referrer-policy'] ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const policy = tokens.at(-1);
  if (!policy) m['referrer-policy-not-implemented'] = 0;
  else if (['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(policy)) m['referrer-policy-private'] = 5;
  else if (['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'].includes(policy)) m['referrer-policy-unsafe'] = -5;
  else m['referrer-policy-header-invalid'] = -5;

  // HSTS (strict-transport-security.js)
  const hsts = h['strict-transport-security'];
  const maxAge = hsts ? /max-age="?(\d+)"?/i.exec(hsts)?.[1] : undefined;
  if (!hsts) m['hsts-not-implemented'] = -20;
  else if (maxAge === undefined) m['hsts-header-invalid'] = -20;
  else if (Number(maxAge) >= 15_768_000) m['hsts-implemented-max-age-at-least-six-months'] = 0;
  else m['hsts-implemented-max-age-less-than-six-months'] = -10;

  // Subresource Integrity (subresource-integrity.js): pages load no scripts at all.
  m[opts.isHtml ? 'sri-not-implemented-but-no-scripts-loaded' : 'sri-not-implemented-response-not-html'] = 0;

  // X-Content-Type-Options
  const xcto = h['x-content-type-options'];
  m[!xcto ? 'x-content-type-options-not-implemented' : xcto.trim().toLowerCase() === 'nosniff' ? 'x-content-type-options-nosniff' : 'x-content-type-options-header-invalid'] = !xcto || xcto.trim().toLowerCase() !== 'nosniff' ? -5 : 0;

  // X-Frame-Options: frame-ancestors in the CSP header earns the bonus.
  const fa = cspHeader ? (() => {
    try {
      return parseCsp(cspHeader).get('frame-ancestors');
    } catch {
      return undefined;
    }
  })() : undefined;
  const xfo = h['x-frame-options']?.trim().toUpperCase();
  if (fa && ![...fa].some((s) => BROAD.has(s))) m['x-frame-options-implemented-via-csp'] = 5;
  else if (xfo === 'DENY' || xfo === 'SAMEORIGIN') m['x-frame-options-sameorigin-or-deny'] = 0;
  else if (xfo?.startsWith('ALLOW-FROM')) m['x-frame-options-allow-from-origin'] = 0;
  else m[xfo ? 'x-frame-options-header-invalid' : 'x-frame-options-not-implemented'] = -20;

  // Cross Origin Resource Policy (cross-origin-resource-policy.js)
  const corp = h['cross-origin-resource-policy']?.trim().toLowerCase();
  if (corp === undefined) m['cross-origin-resource-policy-not-implemented'] = 0;
  else if (corp === 'same-origin') m['cross-origin-resource-policy-implemented-with-same-origin'] = 10;
  else if (corp === 'same-site') m['cross-origin-resource-policy-implemented-with-same-site'] = 10;
  else if (corp === 'cross-origin') m['cross-origin-resource-policy-implemented-with-cross-origin'] = 0;
  else m['cross-origin-resource-policy-header-invalid'] = -5;

  const penalties = Object.values(m).filter((v) => v < 0).reduce((a, b) => a + b, 0);
  const bonuses = Object.values(m).filter((v) => v > 0).reduce((a, b) => a + b, 0);
  let score = Math.max(0, 100 + penalties);
  if (score >= 90) score += bonuses;
  const band = Math.min(score - (score % 5), 100);
  const grade = band >= 100 ? 'A+' : band >= 90 ? 'A' : band >= 85 ? 'A-' : band >= 80 ? 'B+' : band >= 70 ? 'B' : band >= 65 ? 'B-' : band >= 60 ? 'C+' : band >= 50 ? 'C' : band >= 45 ? 'C-' : band >= 40 ? 'D+' : band >= 30 ? 'D' : band >= 25 ? 'D-' : 'F';
  return { score, grade, modifiers: m };
}

describe('the scorer follows the published rules', () => {
  it('no headers at all: F', () => {
    const s = observatoryScore({}, { isHtml: true });
    expect(s.score).toBe(30); // 100 - 25 (CSP) - 20 (HSTS) - 5 (nosniff) - 20 (XFO)
    expect(s.grade).toBe('D');
  });

  it('unsafe-inline in script-src costs 20 and forfeits the bonuses', () => {
    const s = observatoryScore({ 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'", 'strict-transport-security': 'max-age=63072000', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' }, { isHtml: true });
    expect(s.modifiers['csp-implemented-with-unsafe-inline']).toBe(-20);
    expect(s.score).toBe(80);
  });

  it('HSTS under six months costs 10', () => {
    expect(observatoryScore({ 'strict-transport-security': 'max-age=86400' }, { isHtml: false }).modifiers['hsts-implemented-max-age-less-than-six-months']).toBe(-10);
  });
});

const EXPECTED_CSP = "default-src 'none';base-uri 'none';connect-src 'self';font-src 'self';form-action 'self';frame-ancestors 'none';img-src 'self' https:;manifest-src 'self';object-src 'none';script-src 'none';style-src 'self'";

function expectFullSet(h: Headers, corp: 'same-origin' | 'cross-origin', what: string): void {
  expect(h['content-security-policy'], what).toBe(EXPECTED_CSP);
  expect(h['content-security-policy'], what).not.toMatch(/unsafe-/);
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['x-frame-options'], what).toBe('DENY');
  expect(h['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  expect(h['strict-transport-security'], what).toBe('max-age=63072000; includeSubDomains');
  expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(h['cross-origin-resource-policy'], what).toBe(corp);
  expect(h['x-powered-by'], what).toBeUndefined();
  expect(h['set-cookie'], what).toBeUndefined();
  expect(h.server, what).toBeUndefined();
}

let site: TestSite;
let srv: Listening;

beforeAll(async () => {
  site = await makeSite(
    {
      'seed-story.md': md('title: Seed Story\ndate: 2024-03-22\nauthor: Ann Lee\ntags: [Politics]\naliases: [/old-seed]\nimage:\n  src: /images/photo.png\n  alt: A photo', 'Body with ![inline](/images/photo.png).'),
      'pages/about.md': md('title: About\nsummary: About us.', 'About text.'),
    },
    { publicFiles: { 'images/photo.png': png(40, 30) } },
  );
  srv = await listen(site.app, site.config);
});

afterAll(async () => {
  await srv.close();
  closeSites();
});

describe('every response type carries the full security header set and scores A+', () => {
  const cases: [string, string, 'same-origin' | 'cross-origin', number][] = [
    ['home page', '/', 'same-origin', 200],
    ['article page', '/articles/seed-story/', 'same-origin', 200],
    ['tag page', '/tags/politics/', 'same-origin', 200],
    ['author page', '/authors/ann-lee/', 'same-origin', 200],
    ['static page', '/about/', 'same-origin', 200],
    ['404 page', '/no-such-page/', 'same-origin', 404],
    ['405 page', '/', 'same-origin', 405],
    ['414 page', `/${'a'.repeat(9000)}`, 'same-origin', 414],
    ['301 slash redirect', '/articles/seed-story', 'same-origin', 301],
    ['301 alias redirect', '/old-seed', 'same-origin', 301],
    ['health JSON', '/healthz', 'same-origin', 200],
    ['readiness JSON', '/readyz', 'same-origin', 200],
    ['security.txt', '/.well-known/security.txt', 'same-origin', 200],
    ['favicon (image)', '/favicon.svg', 'cross-origin', 200],
    ['photo (image)', '/images/photo.png', 'cross-origin', 200],
    ['RSS feed', '/feed.xml', 'cross-origin', 200],
    ['Atom feed', '/atom.xml', 'cross-origin', 200],
    ['JSON feed', '/feed.json', 'cross-origin', 200],
    ['sitemap', '/sitemap.xml', 'same-origin', 200],
    ['robots.txt', '/robots.txt', 'same-origin', 200],
  ];
  for (const [name, path, corp, status] of cases) {
    it(`${name} (${status}): full header set, CORP ${corp}, Observatory A+`, async () => {
      const res: RawResponse =
        status === 405
          ? await rawRequest(srv.port, `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
          : await rawGet(srv.port, path);
      expect(res.status).toBe(status);
      expectFullSet(res.headers, corp, name);
      // One value per header: a repeated CORP or CSP header would be read differently by browsers.
      for (const h of ['content-security-policy', 'cross-origin-resource-policy', 'x-frame-options', 'strict-transport-security']) {
        expect(res.raw.split('\r\n\r\n')[0]!.match(new RegExp(`^${h}:`, 'gim')), `${name} ${h}`).toHaveLength(1);
      }
      const score = observatoryScore(res.headers, { isHtml: (res.headers['content-type'] ?? '').startsWith('text/html') });
      expect(score.grade, JSON.stringify(score.modifiers)).toBe('A+');
      expect(score.score).toBe(corp === 'same-origin' ? 130 : 120);
    });
  }

  it('the hashed stylesheet (an immutable asset) carries the full set', async () => {
    const home = await request(site.app).get('/');
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(home.text)?.[1];
    expect(css).toBeDefined();
    const res = await rawGet(srv.port, css!);
    expect(res.status).toBe(200);
    expectFullSet(res.headers, 'same-origin', 'stylesheet');
    expect(observatoryScore(res.headers, { isHtml: false }).grade).toBe('A+');
  });

  it('304 Not Modified and HEAD carry the full set', async () => {
    const first = await rawGet(srv.port, '/articles/seed-story/');
    const etag = first.headers.etag!;
    const notModified = await rawGet(srv.port, '/articles/seed-story/', `If-None-Match: ${etag}\r\n`);
    expect(notModified.status).toBe(304);
    expectFullSet(notModified.headers, 'same-origin', '304');
    const head = await rawRequest(srv.port, 'HEAD /articles/seed-story/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head.status).toBe(200);
    expectFullSet(head.headers, 'same-origin', 'HEAD');
  });

  it('500 page carries the full set', async () => {
    const original = site.app.pages.article.bind(site.app.pages);
    site.app.pages.article = () => {
      throw new Error('boom');
    };
    site.app.pages.cache.clear();
    try {
      const res = await rawGet(srv.port, '/articles/seed-story/');
      expect(res.status).toBe(500);
      expectFullSet(res.headers, 'same-origin', '500');
      expect(observatoryScore(res.headers, { isHtml: true }).grade).toBe('A+');
    } finally {
      site.app.pages.article = original;
    }
  });

  for (const [name, raw, status] of [
    ['431 from the clientError handler', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['400 from the clientError handler', 'GET / HXXP/1.1\r\n\r\n', 400],
    ['405 for an unknown method from the clientError handler', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 405],
  ] as const) {
    it(`${name}: full set, A+`, async () => {
      const res = await rawRequest(srv.port, raw);
      expect(res.status).toBe(status);
      expectFullSet(res.headers, 'same-origin', name);
      expect(observatoryScore(res.headers, { isHtml: true }).grade).toBe('A+');
    });
  }
});
