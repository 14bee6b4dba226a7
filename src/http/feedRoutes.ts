// Routes for feeds, sitemaps and robots.txt. Each document is a prepared response cached under its path
// (so the fast path answers it before the router) and dropped when what it lists changes: site feeds and
// sitemaps with any article ('list'), a tag feed with its tag, the news sitemap also with time alone.

import type { Express, NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';
import type { ContentStore } from '../ContentStore.js';
import { atomFeed, FEED_TYPES, jsonFeed, rssFeed, tagRssFeed } from '../render/feeds.js';
import type { Renderer } from '../render/Renderer.js';
import { newsSitemap, robotsTxt, sitemap, sitemapPart, SITEMAP_URL_LIMIT, TEXT_TYPE, XML_TYPE } from '../render/sitemaps.js';
import { SLUG_RE } from '../slug.js';
import { sendPrepared, type Prepared } from './prepared.js';
import type { SitePages } from './SitePages.js';

export interface FeedRouteOptions {
  /** URLs per sitemap file before /sitemap.xml becomes an index (tests lower it). */
  readonly sitemapLimit?: number;
}

// Feed readers and partner sites fetch feeds from other origins; pages keep helmet's same-origin.
const CROSS_ORIGIN = Object.freeze({ 'Cross-Origin-Resource-Policy': 'cross-origin' });

const SITEMAP_PART = /^\/sitemap-([1-9]\d{0,6})\.xml$/;

export function addFeedRoutes(app: Express, pages: SitePages, store: ContentStore, renderer: Renderer, config: Config, options: FeedRouteOptions = {}): void {
  const limit = options.sitemapLimit ?? SITEMAP_URL_LIMIT;
  const send = (req: Request, res: Response, next: NextFunction, p: Prepared | undefined): void => {
    if (!p) return next();
    sendPrepared(req, res, p);
  };

  app.get('/feed.xml', (req, res, next) => send(req, res, next, pages.serve('/feed.xml', () => rssFeed(renderer, store.view), FEED_TYPES.rss, CROSS_ORIGIN)));
  app.get('/atom.xml', (req, res, next) => send(req, res, next, pages.serve('/atom.xml', () => atomFeed(renderer, store.view), FEED_TYPES.atom, CROSS_ORIGIN)));
  app.get('/feed.json', (req, res, next) => send(req, res, next, pages.serve('/feed.json', () => jsonFeed(renderer, store.view), FEED_TYPES.json, CROSS_ORIGIN)));
  app.get('/tags/:slug/feed.xml', (req, res, next) => {
    const slug = req.params.slug;
    if (!SLUG_RE.test(slug)) return next();
    send(req, res, next, pages.serve(`/tags/${slug}/feed.xml`, () => tagRssFeed(renderer, store.view, slug), FEED_TYPES.rss, CROSS_ORIGIN));
  });

  app.get('/sitemap.xml', (req, res, next) => send(req, res, next, pages.serve('/sitemap.xml', () => sitemap(store.view, config, limit), XML_TYPE)));
  app.get(SITEMAP_PART, (req, res, next) => {
    const n = Number(SITEMAP_PART.exec(req.path)?.[1]);
    send(req, res, next, pages.serve(`/sitemap-${n}.xml`, () => sitemapPart(store.view, config, n, limit), XML_TYPE));
  });
  app.get('/news-sitemap.xml', (req, res, next) => send(req, res, next, pages.serve('/news-sitemap.xml', () => newsSitemap(store.view, config), XML_TYPE)));
  app.get('/robots.txt', (req, res, next) => send(req, res, next, pages.serve('/robots.txt', () => robotsTxt(config), TEXT_TYPE)));
}
