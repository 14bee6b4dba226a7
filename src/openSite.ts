// Loads content for a running server: the loader keeps last good versions, and each problem is logged
// once (the same problem is not repeated on every reload).

import type { Logger } from 'pino';
import type { Config } from './config.js';
import { ContentLoader, type ContentState, type LoadHint } from './content/ContentLoader.js';
import { formatDiagnostic, type Diagnostic } from './content/diagnostic.js';
import { ContentStore, type Clock } from './ContentStore.js';

export interface OpenSite {
  readonly loader: ContentLoader;
  readonly store: ContentStore;
  /**
   * Re-reads changed files and swaps the site; resolves when the new state is live. The hint (from the
   * watcher) names the only files that changed. While CONTENT_DIR is missing the current site stays up.
   */
  reload(hint?: LoadHint): Promise<ContentState>;
}

export interface OpenSiteOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Content already loaded from CONTENT_DIR (the export's workers share the load): used instead of a first load. */
  readonly state?: ContentState;
  /** The loader that loaded `state` (see contentLoader). */
  readonly loader?: ContentLoader;
}

/** The loader a site reads CONTENT_DIR with. */
export function contentLoader(config: Config): ContentLoader {
  return new ContentLoader({
    contentDir: config.contentDir,
    publicDir: config.publicDir,
    timezone: config.siteTimezone,
    maxBytes: config.maxArticleBytes,
    keepLastGood: true,
  });
}

export async function openSite(config: Config, options: OpenSiteOptions = {}): Promise<OpenSite> {
  const loader = options.loader ?? contentLoader(config);
  let reported = new Set<string>();
  const report = (list: readonly Diagnostic[]): void => {
    const now = new Set<string>();
    for (const d of list) {
      const line = formatDiagnostic(d);
      now.add(line);
      if (reported.has(line)) continue;
      const fields = { file: d.path, line: d.line, column: d.column, field: d.field };
      if (d.severity === 'error') options.logger?.error(fields, line);
      else options.logger?.warn(fields, line);
    }
    reported = now;
  };
  const state = options.state ?? (await loader.load());
  report(state.diagnostics);
  const store = new ContentStore(state, { preview: config.preview, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    loader,
    store,
    async reload(hint?: LoadHint) {
      const next = await loader.load(hint);
      if (next.rootMissing) {
        options.logger?.warn({ dir: config.contentDir }, 'CONTENT_DIR is missing; still serving the content loaded before');
        return store.content;
      }
      report(next.diagnostics);
      store.setContent(next);
      return next;
    },
  };
}
