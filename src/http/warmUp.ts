// Prepares the site-wide pages (home, newest article, feeds, sitemaps, robots.txt) at start-up, before the
// server listens, and again in the background shortly after each content change, so that their first
// request is a cache hit.
// Pages are rendered on first request otherwise: with 10,000 articles, rendering every page at start-up
// would take minutes, while these few are what readers, feed readers and crawlers ask for first, and the
// feeds and sitemaps are the costly ones (20 full articles; every URL of the site).
//
// Each page goes through the Express app itself (the one place routes are defined), in-process with a
// request object that never touches the network; after a change, one page per event-loop turn so real
// requests interleave.

import http from 'node:http';
import net from 'node:net';
import type { ContentStore } from '../ContentStore.js';

export const WARM_PATHS: readonly string[] = ['/', '/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml', '/news-sitemap.xml', '/robots.txt'];

/**
 * Wait after a content change before warming again, so a burst of changes costs one warm-up, and so the
 * warm-up (the sitemap alone takes 50-150 ms with 10,000 articles) does not hold up the first request for
 * the page that changed: at 250 ms an edited article took 250-284 ms to be served, at 1 s about 100 ms.
 */
const SETTLE_MS = 1000;

/** Runs one GET through `handler` in-process; the response is discarded (the page cache keeps the result). */
function prepareOne(handler: http.RequestListener, path: string): void {
  const req = new http.IncomingMessage(new net.Socket());
  req.method = 'GET';
  req.url = path;
  req.headers = { host: 'localhost', 'accept-encoding': 'br, gzip' };
  const res = new http.ServerResponse(req);
  try {
    handler(req, res);
  } catch {
    // A page that cannot be prepared now will be rendered (and its error reported) on its first real request.
  }
}

export interface Warmer {
  /** Resolves when the current round of warming has finished (for tests). */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Prepares the pages now, before returning (call it before listening, so that readiness means they are
 * ready: a background round right after start-up would hold up the first real requests while it renders
 * the feeds and sitemaps), and again in the background after every content change, until stopped. Besides
 * being what is asked for first, these pages bring the template, Markdown and compression code up to speed.
 */
export function keepWarm(handler: http.RequestListener, store: ContentStore, paths: readonly string[] = WARM_PATHS): Warmer {
  let queue: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const round = (): void => {
    if (stopped) return;
    const newest = store.view.articles[0]?.url;
    queue = newest ? [...paths, newest] : [...paths];
    running = new Promise<void>((resolve) => {
      const step = (): void => {
        const next = stopped ? undefined : queue.shift();
        if (next === undefined) return resolve();
        prepareOne(handler, next);
        setImmediate(step).unref();
      };
      setImmediate(step).unref();
    });
  };
  const onChange = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(round, SETTLE_MS);
    timer.unref();
  };
  store.on('change', onChange);
  const newest = store.view.articles[0]?.url;
  for (const p of newest ? [...paths, newest] : paths) prepareOne(handler, p);
  return {
    idle: () => running,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      store.off('change', onChange);
    },
  };
}
