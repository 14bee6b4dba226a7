// Live reload: watches CONTENT_DIR and swaps in the new site when files change.
// (Owned by the live-reload work; this first version reloads on any change after a short debounce.)

import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { OpenSite } from './openSite.js';

export interface ContentWatcher {
  /** Number of reloads done, for tests and the benchmark. */
  readonly rebuilds: number;
  close(): Promise<void>;
}

export function watchContent(config: Config, site: OpenSite, logger: Logger): ContentWatcher {
  let timer: NodeJS.Timeout | undefined;
  let rebuilds = 0;
  let fsw: FSWatcher | undefined;
  try {
    fsw = watch(config.contentDir, { recursive: true }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        rebuilds++;
        site.reload().catch((err: unknown) => logger.error({ err }, 'content reload failed'));
      }, 50);
    });
  } catch (err) {
    logger.warn({ err }, 'content folder cannot be watched; changes need a restart');
  }
  return {
    get rebuilds() {
      return rebuilds;
    },
    async close() {
      if (timer) clearTimeout(timer);
      fsw?.close();
    },
  };
}
