// Messages between the export's coordinating thread and its render workers.

import type { MessagePort } from 'node:worker_threads';
import type { BodyRef } from './bodyRing.js';
import type { PathKind } from './sitePaths.js';

export interface WorkerData {
  /** Environment the site's config is read from (SITE_URL, CONTENT_DIR...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly outDir: string;
  /** Every worker sees the site at this instant, so scheduled articles and the news window agree. */
  readonly now: number;
  readonly precompress: boolean;
  /** Worker 0 also reports the job list, aliases and content problems. */
  readonly index: number;
  /**
   * One port to each other worker: every worker parses a share of the content files and sends its part
   * to the others over these (see siteSnapshot.ts).
   */
  readonly peers: readonly MessagePort[];
  /** The next content file to parse, shared by the workers (ContentLoader.loadPart). */
  readonly claim: Int32Array;
}

export interface Job {
  readonly url: string;
  readonly kind: PathKind | 'notfound';
  /** For public files: the path under public/ (and under the output folder). */
  readonly file?: string;
}

export interface AliasInfo {
  /** Old path as the editor wrote it, without a trailing slash. */
  readonly from: string;
  readonly to: string;
  readonly title: string;
}

export interface JobResult {
  readonly url: string;
  readonly kind: Job['kind'];
  readonly status: number;
  /** Files this job owns in the output folder (the body and its .gz/.br siblings). */
  readonly files: readonly string[];
  /** Policy headers (security, caching, and Content-Type for documents), named as the app names them. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type FromWorker =
  | {
      readonly type: 'ready';
      readonly index: number;
      readonly fingerprint: string;
      readonly count: number;
      /** The shared memory the worker's bodies come through (see bodyRing.ts). */
      readonly ring: SharedArrayBuffer;
      readonly jobs?: readonly Job[];
      /** jobs[0, laneEnd) are the feeds and the articles they carry, best rendered by one worker in order. */
      readonly laneEnd?: number;
      readonly aliases?: readonly AliasInfo[];
      readonly problems?: readonly string[];
    }
  /** `bodies`: the results' files, in order, for the coordinator to write; then the ring is free up to `end`. */
  | { readonly type: 'done'; readonly index: number; readonly results: readonly JobResult[]; readonly bodies: readonly BodyRef[]; readonly end: number }
  | { readonly type: 'failed'; readonly index: number; readonly message: string };

export type ToWorker = { readonly type: 'chunk'; readonly start: number; readonly end: number } | { readonly type: 'stop' };
