// Hostile requests: each gets a 4xx (never a 500, never a stack trace), nothing outside the public site is
// served, and the process keeps answering. Requests are written byte for byte on a real socket, so the
// request line reaches the server exactly as an attacker would send it.

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { closeSites, makeSite, md, type TestSite } from '../helpers/site.js';
import { captureLogger, listen, rawGet, rawRequest, STACK_TRACE, type Listening, type RawResponse } from './raw.js';

const SECRET = 'hunter2-secret-value';

let site: TestSite;
let srv: Listening;

beforeAll(async () => {
  site = await makeSite(
    {
      'seed-story.md': md('title: Seed Story\ndate: 2024-03-22\nauthor: Ann Lee\ntags: [Politics]\naliases: [/2024/03/old-seed-story]', 'The body of the seed story.'),
      'second.md': md('title: Second Story\ndate: 2024-03-21\nauthor: Bo Chen', 'Second body.'),
    },
    // Files that must never be served even though they sit in public/.
    { publicFiles: { '.env': `SECRET=${SECRET}\n`, '.git/config': `[remote]\n\turl = ${SECRET}\n`, '.hidden/x.txt': SECRET, 'images/.secret.png': SECRET } },
  );
  srv = await listen(site.app, site.config);
});

afterAll(async () => {
  await srv.close();
  closeSites();
});

async function expectStillServing(): Promise<void> {
  const res = await rawGet(srv.port, '/healthz');
  expect(res.status).toBe(200);
}

function expectClean(res: RawResponse): void {
  expect(res.body).not.toMatch(STACK_TRACE);
  expect(res.body).not.toContain(SECRET);
  expect(res.body).not.toContain('"name": "newsroom"');
  expect(res.body).not.toContain('import ');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
}

describe('path traversal and encoding tricks → 400 or 404', () => {
  const attacks: [string, string][] = [
    ['raw ../ in the path', '/../package.json'],
    ['raw ../ after a static folder', '/images/../../package.json'],
    ['raw ../ in an article slug', '/articles/../../package.json/'],
    ['..%2f encoded once in a slug', '/articles/..%2f..%2fpackage.json/'],
    ['..%2f encoded once at the root', '/..%2f..%2fpackage.json'],
    ['%2e%2e encoded dots', '/%2e%2e/%2e%2e/package.json'],
    ['%2e%2e%2f fully encoded', '/%2e%2e%2f%2e%2e%2fpackage.json'],
    ['%252e%252e%252f double-encoded', '/%252e%252e%252fpackage.json'],
    ['%252e%252e%252f double-encoded in a slug', '/articles/%252e%252e%252fpackage.json/'],
    ['..%5c backslash encoded', '/..%5c..%5cpackage.json'],
    ['raw backslash', '/..\\..\\package.json'],
    ['traversal under /assets/', '/assets/..%2f..%2fpackage.json'],
    ['traversal under /.well-known/', '/.well-known/..%2f..%2fpackage.json'],
    ['traversal under /images/ to src', '/images/..%2f..%2fsrc%2fapp.ts'],
    ['NUL byte %00 before an extension', '/package.json%00.css'],
    ['NUL byte %00 in a slug', '/articles/seed-story%00/'],
    ['NUL byte %00 after a static file', '/favicon.svg%00'],
    ['malformed percent-encoding %E0%A4%A', '/%E0%A4%A'],
    ['malformed percent-encoding in a slug', '/articles/%E0%A4%A/'],
    ['malformed percent-encoding under /images/', '/images/%E0%A4%A'],
    ['lone % sign', '/%'],
    ['invalid escape %zz', '/images/%zz.png'],
    ['overlong UTF-8 dot %C0%AE', '/%C0%AE%C0%AE/package.json'],
    ['overlong UTF-8 slash %C0%AF', '/images/%C0%AE%C0%AE%C0%AFpackage.json'],
    ['overlong UTF-8 in a slug', '/articles/%C0%AE%C0%AE%C0%AFpackage.json/'],
  ];
  for (const [name, target] of attacks) {
    it(`path traversal: ${name} (${target}) → 4xx, nothing leaked`, async () => {
      const res = await rawGet(srv.port, target);
      expect([400, 404]).toContain(res.status);
      expectClean(res);
    });
  }

  it('the process keeps serving after every traversal attempt', expectStillServing);
});

describe('source, content and dotfiles are never served', () => {
  const paths = [
    '/package.json',
    '/package-lock.json',
    '/tsconfig.json',
    '/README.md',
    '/content/',
    '/content/seed-story.md',
    '/seed-story.md',
    '/src/',
    '/src/app.ts',
    '/src/server.ts',
    '/dist/server.js',
    '/views/',
    '/views/article.ejs',
    '/node_modules/',
    '/node_modules/express/package.json',
    '/.git/config',
    '/.git/HEAD',
    '/.env',
    '/.hidden/x.txt',
    '/images/.secret.png',
    '/%2eenv',
    '/.well-known/../.env',
    '/public/style.css',
  ];
  for (const p of paths) {
    it(`sensitive file: GET ${p} → 404`, async () => {
      const res = await rawGet(srv.port, p);
      expect(res.status).toBe(404);
      expectClean(res);
    });
  }

  it('/.well-known/security.txt is served (dotted folder allowed by name only)', async () => {
    const res = await rawGet(srv.port, '/.well-known/security.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^Contact: /m);
    expect(res.body).toMatch(/^Expires: /m);
  });
});

describe('oversized and malformed requests', () => {
  it('URL over 8 KiB → 414 from the app, with the security headers', async () => {
    const res = await rawGet(srv.port, `/articles/${'a'.repeat(9 * 1024)}/`);
    expect(res.status).toBe(414);
    expectClean(res);
  });

  it('request headers over Node’s limit → 431 with the security headers and Connection: close', async () => {
    const res = await rawRequest(srv.port, `GET / HTTP/1.1\r\nHost: news.example\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['cache-control']).toBe('no-store');
    expectClean(res);
    await expectStillServing();
  });

  it('a URL over Node’s header limit (20 KiB) → 431 with the security headers', async () => {
    const res = await rawRequest(srv.port, `GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(res.status).toBe(431);
    expectClean(res);
  });

  it('malformed request line (bad protocol) → 400 with the security headers and Connection: close', async () => {
    const res = await rawRequest(srv.port, 'GET / HXXP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('close');
    expectClean(res);
    await expectStillServing();
  });

  it('header with a control character (request smuggling attempt) → 400 with the security headers', async () => {
    const res = await rawRequest(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n');
    expect(res.status).toBe(400);
    expectClean(res);
  });

  it('Content-Length and Transfer-Encoding together (smuggling) → 400, no second request is processed', async () => {
    const res = await rawRequest(
      srv.port,
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(res.status).toBe(400);
    expect(res.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expectClean(res);
  });
});

describe('methods other than GET and HEAD → 405 with Allow: GET, HEAD', () => {
  const methods = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH', 'QUERY'];
  const paths = ['/', '/articles/seed-story/', '/nope', '/favicon.svg', '/healthz', '/.well-known/security.txt', '/assets/x.css'];
  for (const method of methods) {
    it(`method ${method} on every kind of path → 405`, async () => {
      for (const p of paths) {
        const res = await rawRequest(srv.port, `${method} ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        expect(res.status, `${method} ${p}`).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD');
        expectClean(res);
      }
    });
  }

  it('TRACE echoes nothing of the request', async () => {
    const res = await rawRequest(srv.port, `TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Canary: trace-canary-123\r\nCookie: session=canary-cookie\r\n\r\n`);
    expect(res.status).toBe(405);
    expect(res.raw).not.toContain('trace-canary-123');
    expect(res.raw).not.toContain('canary-cookie');
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('an unknown method token (FOO) → 405 with Allow, from the clientError handler', async () => {
    const res = await rawRequest(srv.port, 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expectClean(res);
  });

  it('CONNECT (proxy tunnelling) → 405 with the security headers, no tunnel', async () => {
    const res = await rawRequest(srv.port, 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expectClean(res);
    await expectStillServing();
  });
});

describe('query strings never reach templates or render options', () => {
  const queries = [
    '?settings[view options][outputFunctionName]=x;process.exit(1);//',
    '?settings[view%20options][outputFunctionName]=x;process.exit(1);//',
    '?settings[view options][client]=1&settings[view options][escapeFunction]=process.exit',
    '?__proto__[x]=polluted',
    '?__proto__.x=polluted',
    '?constructor[prototype][x]=polluted',
    '?layout=../../package.json',
    '?view=../../package.json',
    '?cache=false&filename=/etc/passwd',
    '?page=2&_method=DELETE',
  ];
  for (const path of ['/', '/articles/seed-story/', '/tags/politics/', '/no-such-page/']) {
    it(`template injection via query on ${path}: page bytes identical to the page without a query`, async () => {
      const plain = await request(site.app).get(path);
      for (const q of queries) {
        const res = await request(site.app).get(`${path}${q}`);
        expect(res.status, q).toBe(plain.status);
        expect(res.text, q).toBe(plain.text);
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('x');
    });
  }
});

describe('no open redirect', () => {
  const targets = [
    '//evil.example',
    '//evil.example/',
    '//evil.example/articles/seed-story',
    '///evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '/%2F%2Fevil.example',
    '/%2f%2fevil.example/',
    '/%5C%5Cevil.example',
    '/%5Cevil.example',
    '/.//evil.example',
    '/articles//evil.example',
    '/articles/seed-story//evil.example',
    '/http://evil.example',
    '/https:%2F%2Fevil.example',
    '/articles/seed-story?next=//evil.example',
    '/2024/03/old-seed-story//evil.example',
    '//2024/03/old-seed-story',
    '/page/1/?//evil.example',
    '/tags/politics?x=//evil.example',
  ];
  for (const t of targets) {
    it(`open redirect: ${t} never yields a Location off the site`, async () => {
      const res = await rawGet(srv.port, t);
      expect(res.status).toBeLessThan(500);
      const loc = res.headers.location;
      if (loc !== undefined) {
        expect(loc.startsWith('/')).toBe(true);
        expect(loc).not.toMatch(/^\/[/\\]/);
        expect(new URL(loc, 'https://news.example').origin).toBe('https://news.example');
      }
      expect(res.raw).not.toMatch(/evil\.example[^]*<a href="\/\//);
    });
  }

  it('the slash redirect and an alias still work, and stay on the site', async () => {
    const slash = await rawGet(srv.port, '/articles/seed-story');
    expect(slash.status).toBe(301);
    expect(slash.headers.location).toBe('/articles/seed-story/');
    const alias = await rawGet(srv.port, '/2024/03/old-seed-story');
    expect(alias.status).toBe(301);
    expect(alias.headers.location).toBe('/articles/seed-story/');
  });

  it('a static folder without its slash is not redirected (express.static redirect is off)', async () => {
    const res = await rawGet(srv.port, '/images');
    expect(res.status).toBe(404);
    expect(res.headers.location).toBeUndefined();
  });
});

describe('Host and X-Forwarded-* never appear in output', () => {
  const spoof = 'Host: evil.example\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: javascript\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: host=evil.example;proto=http\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\n';
  const paths = ['/', '/articles/seed-story/', '/articles/seed-story', '/2024/03/old-seed-story', '/no-such-page/', '/tags/politics/', '/healthz', '/readyz', '/feed.xml', '/sitemap.xml', '/robots.txt'];
  for (const p of paths) {
    it(`Host header injection on ${p}: nothing from Host or X-Forwarded-* in headers or body`, async () => {
      const res = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\n${spoof}Connection: close\r\n\r\n`);
      expect(res.status).toBeLessThan(500);
      expect(res.raw).not.toContain('evil.example');
      expect(res.raw).not.toContain('6.6.6.6');
      expect(res.raw).not.toContain('javascript:');
    });
  }

  it('TRUST_PROXY is off by default: Express trusts no proxy', () => {
    expect(site.config.trustProxy).toBe(false);
    expect(site.app.express.get('trust proxy')).toBe(false);
  });

  it('with TRUST_PROXY=loopback, absolute URLs still come from SITE_URL only', async () => {
    const trusting = await makeSite({ 'seed-story.md': md('title: Seed Story\ndate: 2024-03-22\nauthor: Ann Lee') }, { env: { TRUST_PROXY: 'loopback' } });
    expect(trusting.app.express.get('trust proxy')).toBe('loopback');
    const res = await request(trusting.app).get('/articles/seed-story/').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'http');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('evil.example');
    expect(res.text).toContain('https://news.example/articles/seed-story/');
  });
});

describe('an error thrown while handling a request', () => {
  it('gives the 500 page without internals, is logged, and the process keeps serving', async () => {
    const { logger, lines } = captureLogger('error');
    const app = createApp(site.config, site.store, { loader: site.loader, logger });
    const original = app.pages.article.bind(app.pages);
    app.pages.article = () => {
      throw new Error('boom: /secret/path/to/file.ts');
    };
    const res = await request(app).get('/articles/seed-story/');
    expect(res.status).toBe(500);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('Something went wrong');
    expect(res.text).not.toContain('boom');
    expect(res.text).not.toMatch(STACK_TRACE);
    const logged = lines.find((l) => l.msg === 'request failed');
    expect(logged).toBeDefined();
    expect((logged!.err as { message: string }).message).toBe('boom: /secret/path/to/file.ts');
    expect(logged!.path).toBe('/articles/seed-story/');
    app.pages.article = original;
    expect((await request(app).get('/articles/seed-story/')).status).toBe(200);
  });
});
