// WEB_CONCURRENCY=N runs N worker processes with node:cluster; 1 (the default) runs in this process.
// (Owned by the speed work; this first version runs a single process.)

import type { Config } from './config.js';

export async function runCluster(_config: Config, startWorker: () => Promise<void>): Promise<void> {
  await startWorker();
}
