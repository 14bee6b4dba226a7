// Builds the site's request handler without listening, so tests call request(createApp(config, store)).
// Express defines every route, redirect, static file, 404 and error. Pages it has prepared once are
// answered from memory by a fast path ahead of Express's router, with the same bytes and headers.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ContentStore } from './ContentStore.js';
import { aliasKey } from './content/parseEntry.js';
import { formatDiagnostic } from './content/diagnostic.js';
import { Renderer } from './render/Renderer.js';
import { SLUG_RE } from './slug.js';
import { ASSET_NAMES, buildAssets } from './http/assets.js';
import { captureHeaders, createHelmet } from './http/security.js';
import { sendPrepared, type Prepared } from './http/prepared.js';
import { SitePages } from './http/SitePages.js';
import { addFeedRoutes } from './http/feedRoutes.js';
import type { ContentLoader } from './content/ContentLoader.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppOptions {
  readonly logger?: Logger;
  readonly viewsDir?: string;
  /** Gives body images their width and height; the loader's is used when given. */
  readonly loader?: ContentLoader;
  /** Answers /readyz with 503 while true (graceful shutdown). */
  readonly isDraining?: () => boolean;
}

export type App = RequestListener & {
  readonly express: express.Express;
  readonly pages: SitePages;
  readonly renderer: Renderer;
};

const MAX_URL_LENGTH = 8 * 1024;
const PAGE_NUMBER = /^[1-9]\d{0,6}$/;

let requestCounter = 0;
const requestPrefix = randomBytes(3).toString('hex');

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[\w.-]{1,64}$/.test(given)) return given;
  return `${requestPrefix}-${(++requestCounter).toString(36)}`;
}

export function createApp(config: Config, store: ContentStore, options: AppOptions = {}): App {
  const log = options.logger;
  const helmetMw = createHelmet();
  const securityHeaders = captureHeaders(helmetMw);
  const assets = buildAssets(config.publicDir, ASSET_NAMES);
  const renderer = new Renderer({
    config,
    viewsDir: options.viewsDir ?? path.join(ROOT, 'views'),
    assetUrl: (name) => assets.get(name)?.url ?? `/${name}`,
    ...(options.loader ? { imageInfo: options.loader.imageInfo } : {}),
    onRenderError: (file, line, message) => log?.error({ file, line, field: 'body' }, formatDiagnostic({ path: file, line, column: 1, field: 'body', severity: 'error', message })),
  });
  const pages = new SitePages(config, store, renderer, securityHeaders, assets);

  const app = express();
  app.disable('x-powered-by');
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  app.set('etag', false);
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);

  const send = (req: Request, res: Response, next: NextFunction, p: Prepared | undefined): void => {
    if (!p) return next();
    sendPrepared(req, res, p);
  };
  const pageNumber = (raw: string | undefined): number | undefined => (raw !== undefined && PAGE_NUMBER.test(raw) ? Number(raw) : undefined);

  app.use(helmetMw as express.RequestHandler);
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendPrepared(req, res, pages.errorPage(405));
    }
    if (req.url.length > MAX_URL_LENGTH) return sendPrepared(req, res, pages.errorPage(414));
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const draining = options.isDraining?.() ?? false;
    res
      .status(draining ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json({ status: draining ? 'draining' : 'ready', articles: store.view.articles.length });
  });

  app.get('/', (req, res, next) => send(req, res, next, pages.home(1)));
  app.get('/page/:n/', (req, res, next) => {
    if (req.params.n === '1') return res.redirect(301, '/');
    const n = pageNumber(req.params.n);
    send(req, res, next, n ? pages.home(n) : undefined);
  });
  app.get('/articles/:slug/', (req, res, next) => {
    const slug = req.params.slug;
    send(req, res, next, SLUG_RE.test(slug) ? pages.article(slug) : undefined);
  });
  for (const [prefix, get] of [
    ['tags', (s: string, n: number) => pages.tag(s, n)],
    ['authors', (s: string, n: number) => pages.author(s, n)],
  ] as const) {
    app.get(`/${prefix}/:slug/`, (req, res, next) => {
      const slug = req.params.slug;
      send(req, res, next, SLUG_RE.test(slug) ? get(slug, 1) : undefined);
    });
    app.get(`/${prefix}/:slug/page/:n/`, (req, res, next) => {
      const slug = req.params.slug;
      if (!SLUG_RE.test(slug)) return next();
      if (req.params.n === '1') return res.redirect(301, `/${prefix}/${slug}/`);
      const n = pageNumber(req.params.n);
      send(req, res, next, n ? get(slug, n) : undefined);
    });
  }
  app.get('/assets/:file', (req, res, next) => send(req, res, next, pages.asset(req.path)));
  addFeedRoutes(app, pages, store, renderer, config);
  app.get('/:slug/', (req, res, next) => {
    const slug = req.params.slug;
    send(req, res, next, SLUG_RE.test(slug) ? pages.page(slug) : undefined);
  });

  const staticOptions = {
    dotfiles: 'ignore' as const,
    index: false as const,
    redirect: false,
    fallthrough: true,
    maxAge: '1h',
    setHeaders(res: ServerResponse, file: string) {
      // Feed readers and partner sites show our images; pages stay same-origin.
      if (/\.(png|jpe?g|gif|webp|avif|svg|ico)$/i.test(file)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    },
  };
  app.use('/.well-known', express.static(path.join(config.publicDir, '.well-known'), staticOptions));
  app.use(express.static(config.publicDir, staticOptions));

  // Canonical URLs end with "/": known pages asked for without it answer 301. Only slug-shaped paths
  // qualify, so the Location can never point off the site.
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const p = req.path;
    const alias = store.view.aliases.get(aliasKey(p));
    if (alias) return res.redirect(301, alias.url);
    if (p.endsWith('/') || !/^(\/[a-z0-9-]+)+$/.test(p)) return next();
    if (knownPage(`${p}/`)) {
      const q = req.url.indexOf('?');
      return res.redirect(301, `${p}/${q === -1 ? '' : req.url.slice(q)}`);
    }
    next();
  });

  function knownPage(p: string): boolean {
    const view = store.view;
    const parts = p.split('/').filter(Boolean);
    const [a, b, c, d] = parts;
    if (parts.length === 2 && a === 'page') return pageNumber(b) !== undefined;
    if (parts.length === 2 && a === 'articles') return view.bySlug.has(b!);
    if ((parts.length === 2 || (parts.length === 4 && c === 'page')) && (a === 'tags' || a === 'authors')) {
      const ok = (a === 'tags' ? view.tags : view.authors).has(b!);
      return ok && (parts.length === 2 || pageNumber(d) !== undefined);
    }
    if (parts.length === 1) return view.pagesBySlug.has(a!);
    return false;
  }

  app.use((req, res) => {
    sendPrepared(req, res, pages.errorPage(404));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; stack?: string };
    const status = e.status ?? e.statusCode ?? 500;
    const clientError = Number.isInteger(status) && status >= 400 && status < 500;
    if (!clientError) log?.error({ err, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const code = clientError ? status : 500;
    const detail = config.nodeEnv === 'development' && !clientError ? (e.stack ?? String(err)) : undefined;
    sendPrepared(req, res, pages.errorPage(code, detail));
  });

  const logRequest = (id: string, req: IncomingMessage, status: number, start: number): void => {
    const ms = performance.now() - start;
    log!.info({ id, method: req.method, path: (req.url ?? '').split('?')[0]!.slice(0, 200), status, ms: Math.round(ms * 100) / 100 }, 'request');
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    const logging = log !== undefined && log.isLevelEnabled('info');
    if (req.method === 'GET' || req.method === 'HEAD') {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const hit = pages.cache.get(q === -1 ? url : url.slice(0, q));
      if (hit) {
        if (!logging) return sendPrepared(req, res, hit);
        // The request id goes into the one writeHead call (a setHeader before it would send writeHead down
        // Node's slow path), and the line is logged as soon as the response is handed to the socket.
        const id = requestId(req);
        sendPrepared(req, res, hit, ['X-Request-Id', id]);
        return logRequest(id, req, res.statusCode, start);
      }
    }
    if (logging) {
      const id = requestId(req);
      res.setHeader('X-Request-Id', id);
      res.once('finish', () => logRequest(id, req, res.statusCode, start));
    }
    app(req as Request, res as Response);
  }) as App;
  Object.defineProperties(handler, {
    express: { value: app },
    pages: { value: pages },
    renderer: { value: renderer },
  });
  return handler;
}
