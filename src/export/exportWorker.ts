// One export worker: builds its own site and app (the same way the server does), lists every job, then
// renders the share the coordinator hands it by sending each URL through the app, and passes the bodies
// to the coordinator, which writes the files (bodyRing.ts).
// The workers split the first load: each parses a share of the content files and sends it to the others
// (siteSnapshot.ts), so each file is parsed once. Several workers split the rendering (~1 ms of Markdown
// and templates per page) across cores; each lists the jobs alike, and the coordinator checks that they
// agree.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { createApp, type App } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { formatDiagnostic } from '../content/diagnostic.js';
import { ASSET_NAMES, buildAssets } from '../http/assets.js';
import type { Prepared } from '../http/prepared.js';
import { contentLoader, openSite, type OpenSite } from '../openSite.js';
import { newestPublished, settleFeedItem } from '../render/feeds.js';
import { capturePrepared, dispatch, type Captured } from './dispatch.js';
import type { AliasInfo, FromWorker, Job, JobResult, ToWorker, WorkerData } from './protocol.js';
import { BodyRingWriter, type BodyRef } from './bodyRing.js';
import { describeError as describe } from './describeError.js';
import { GENERATED_FILES } from './generatedFiles.js';
import { publicFiles } from './publicFiles.js';
import { restorePart, snapshotPart, type PartSnapshot } from './siteSnapshot.js';
import { outputFile, sitemapParts, sitePaths } from './sitePaths.js';

/** Headers that describe one body rather than the site's policy; left out of _headers. */
const PER_RESPONSE = new Set(['content-length', 'content-type', 'content-encoding', 'etag', 'last-modified', 'vary', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'accept-ranges', 'x-request-id']);

const TEXT_TYPE = /^(text\/|application\/([\w.+-]*\+)?(xml|json|javascript)\b|image\/svg\+xml)/i;
const TEXT_EXT = /\.(html?|css|js|mjs|json|xml|txt|svg|webmanifest|map|md)$/i;

const policySets = new Map<string, Readonly<Record<string, string>>>();

/**
 * The headers a static host must repeat for this URL, named as the app names them. Equal sets are one
 * object: a message of results then carries each set once, and the coordinator knows it by identity.
 */
export function policyHeaders(c: Captured, withType: boolean): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) if (!PER_RESPONSE.has(k) || (withType && k === 'content-type')) out[c.names[k] ?? k] = v;
  const key = JSON.stringify(out);
  let shared = policySets.get(key);
  if (!shared) {
    shared = Object.freeze(out);
    policySets.set(key, shared);
  }
  return shared;
}

const preparedSets = new Map<string, Readonly<Record<string, string>>>();

/**
 * policyHeaders of a prepared page, read from its flat header list: the policy part of that list (names
 * and values, in order) is the key to a set already made, so most pages make no objects at all.
 */
export function preparedPolicyHeaders(p: Prepared): Readonly<Record<string, string>> {
  const h = p.identity.headers;
  let key = '';
  for (let i = 0; i + 1 < h.length; i += 2) if (!PER_RESPONSE.has(h[i]!.toLowerCase())) key += `${h[i]}\n${h[i + 1]}\n`;
  let set = preparedSets.get(key);
  if (!set) {
    set = policyHeaders(capturePrepared(p), false);
    preparedSets.set(key, set);
  }
  return set;
}

const SITE_FEEDS = new Set(['/feed.xml', '/atom.xml', '/feed.json']);
const TAG_FEED = /^\/tags\/([^/]+)\/feed\.xml$/;

/**
 * Everything one export writes, in work order. Feeds carry the full text of their articles, so the pages
 * of the articles that appear in any feed come first, followed by the feeds: one worker takes this lane
 * (`laneEnd` jobs) in order and renders each of those bodies once, where the feeds need them. The others
 * start on the rest.
 */
export function listJobs(config: Config, app: App): { jobs: Job[]; laneEnd: number; aliases: AliasInfo[] } {
  const view = app.pages.store.view;
  const assetUrls = [...buildAssets(config.publicDir, ASSET_NAMES).values()].map((a) => a.url);
  const paths: Job[] = sitePaths(view, config, assetUrls).map((p) => ({ url: p.url, kind: p.kind }));
  const inFeeds = new Set<string>();
  for (const a of newestPublished(view, view.articles)) inFeeds.add(a.url);
  for (const g of view.tags.values()) for (const a of newestPublished(view, g.articles)) inFeeds.add(a.url);
  const isFeed = (j: Job): boolean => SITE_FEEDS.has(j.url) || TAG_FEED.test(j.url);
  const lane = [...paths.filter((j) => j.kind === 'article' && inFeeds.has(j.url)), ...paths.filter(isFeed)];
  // The rest starts with the listings: the worker that takes it first renders them all (while the other is
  // in the lane), so each article's teaser is made once, not once per worker.
  const rest = paths.filter((j) => !(j.kind === 'article' && inFeeds.has(j.url)) && !isFeed(j));
  const jobs = [...lane, ...rest.filter((j) => j.kind === 'listing'), ...rest.filter((j) => j.kind !== 'listing')];
  const taken = new Set<string>(GENERATED_FILES);
  for (const j of jobs) taken.add(outputFile(j.url) ?? j.url);
  // A route wins over a public file at the same address, as in the app (routes come before static files).
  const urls = new Set(jobs.map((j) => j.url));
  let custom404 = false;
  for (const f of publicFiles(config.publicDir)) {
    if (urls.has(f.url) || taken.has(f.file)) continue;
    if (f.file === '404.html') custom404 = true;
    jobs.push({ url: f.url, kind: 'public', file: f.file });
  }
  if (!custom404) jobs.push({ url: '/404.html', kind: 'notfound' });
  const aliases: AliasInfo[] = [];
  for (const [from, a] of view.aliases) aliases.push({ from, to: a.url, title: a.title });
  aliases.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));
  return { jobs, laneEnd: lane.length, aliases };
}

function compress(body: Buffer, best: boolean): { gz: Buffer; br: Buffer } {
  return {
    gz: gzipSync(body, { level: best ? 9 : 6 }),
    br: brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: best ? 11 : 5, [zc.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  };
}

// Room for the chunks in flight (two held, one being written out: 32 pages of about 15 KB each, or fewer
// feeds, which weigh more when chunks are cut); a body that finds no room goes in the message instead.
const RING_BYTES = 4 * 1024 * 1024;
const ARTICLE = /^\/articles\/([a-z0-9-]+)\/$/;
const LISTING = /^\/(?:(tags|authors)\/([a-z0-9-]+)\/)?(?:page\/([1-9]\d*)\/)?$/;

/**
 * The page at a job's URL prepared through SitePages, the way the app's route would on a first request, so
 * that the job takes the prepared response the app's fast path would send (the same bytes and headers)
 * instead of going through Express's router for every page. Anything not recognised here, or not found
 * (undefined), simply takes the Express path.
 */
export function prepareJob(pages: App['pages'], job: Job): Prepared | undefined {
  if (job.kind === 'article') {
    const slug = ARTICLE.exec(job.url)?.[1];
    return slug ? pages.article(slug) : undefined;
  }
  if (job.kind === 'page') {
    const slug = /^\/([a-z0-9-]+)\/$/.exec(job.url)?.[1];
    return slug ? pages.page(slug) : undefined;
  }
  if (job.kind !== 'listing') return undefined;
  const m = LISTING.exec(job.url);
  if (!m) return undefined;
  const n = m[3] ? Number(m[3]) : 1;
  if (m[1] === 'tags') return pages.tag(m[2]!, n);
  if (m[1] === 'authors') return pages.author(m[2]!, n);
  return pages.home(n);
}

/** Where a job's files go: the worker collects them for the coordinator, which writes them all (see bodyRing.ts). */
export interface FileSink {
  put(rel: string, data: Buffer): void;
}

export class JobRunner {
  constructor(
    private readonly app: App,
    private readonly config: Config,
    private readonly out: FileSink,
    private readonly precompress: boolean,
  ) {}

  /**
   * @param last no later job shows this job's article body (it is in no feed): its HTML is not kept. An
   * article in a feed keeps only its RSS item (settleFeedItem), unless it is one of the site's newest.
   */
  async run(job: Job, last = false): Promise<JobResult[]> {
    if (job.kind === 'public') return [await this.publicFile(job)];
    const prepared = prepareJob(this.app.pages, job);
    if (job.kind === 'article') {
      const view = this.app.pages.store.view;
      const article = view.bySlug.get(ARTICLE.exec(job.url)?.[1] ?? '');
      if (article && last) this.app.renderer.forgetBody(article);
      else if (article) settleFeedItem(this.app.renderer, view, article);
    }
    // A prepared page is read as it is (status, body, type; its policy headers from its header list),
    // anything else is asked of the app.
    const c = prepared ? undefined : await dispatch(this.app, job.url);
    const status = prepared ? prepared.status : c!.status;
    const body = prepared ? prepared.identity.body : c!.body;
    const expected = job.kind === 'notfound' ? 404 : 200;
    const file = outputFile(job.url);
    if (status !== expected || file === undefined) return [{ url: job.url, kind: job.kind, status, files: [] }];
    const files = [file];
    this.out.put(file, body);
    if (this.precompress && TEXT_TYPE.test((prepared ? prepared.type : c!.headers['content-type']) ?? '')) {
      // The app's own compressed variants when it has them (same bytes a client would get), else our own.
      const variant = async (enc: 'br' | 'gzip'): Promise<Buffer | undefined> => {
        if (expected !== 200) return undefined;
        const v = await dispatch(this.app, job.url, { acceptEncoding: enc });
        return v.status === 200 && v.headers['content-encoding'] === enc ? v.body : undefined;
      };
      const br = await variant('br');
      const gz = await variant('gzip');
      const own = br && gz ? undefined : compress(body, false);
      this.out.put(`${file}.br`, br ?? own!.br);
      this.out.put(`${file}.gz`, gz ?? own!.gz);
      files.push(`${file}.br`, `${file}.gz`);
    }
    const headers = prepared ? preparedPolicyHeaders(prepared) : policyHeaders(c!, job.kind === 'document');
    const results: JobResult[] = [{ url: job.url, kind: job.kind, status, files, headers }];
    if (job.url === '/sitemap.xml') {
      for (const part of sitemapParts(body.toString('utf8'), this.config.siteUrl)) results.push(...(await this.run({ url: part, kind: 'document' })));
    }
    return results;
  }

  private async publicFile(job: Job): Promise<JobResult> {
    const head = await dispatch(this.app, job.url, { method: 'HEAD' });
    if (head.status !== 200 || !job.file) return { url: job.url, kind: job.kind, status: head.status, files: [] };
    const source = path.join(this.config.publicDir, ...job.file.split('/'));
    let body: Buffer;
    try {
      body = readFileSync(source);
    } catch (cause) {
      throw new Error(`${source}: cannot be read`, { cause });
    }
    const files = [job.file];
    this.out.put(job.file, body);
    if (this.precompress && (TEXT_TYPE.test(head.headers['content-type'] ?? '') || TEXT_EXT.test(job.file))) {
      const { gz, br } = compress(body, true);
      this.out.put(`${job.file}.br`, br);
      this.out.put(`${job.file}.gz`, gz);
      files.push(`${job.file}.br`, `${job.file}.gz`);
    }
    return { url: job.url, kind: job.kind, status: 200, files, headers: policyHeaders(head, false) };
  }
}

async function main(): Promise<void> {
  const data = workerData as WorkerData;
  const port = parentPort!;
  const post = (m: FromWorker): void => port.postMessage(m);
  try {
    const config = loadConfig(data.env, data.cwd);
    const clock = { now: () => data.now };
    let site: OpenSite;
    if (data.peers.length === 0) site = await openSite(config, { clock });
    else {
      // Each worker parses its share of the files, sends it to the others, and joins all the parts.
      const loader = contentLoader(config);
      const own = await loader.loadPart(data.index, data.peers.length + 1, data.claim);
      const others = data.peers.map((peer) => new Promise<PartSnapshot>((resolve) => peer.once('message', resolve)));
      const snapshot = snapshotPart(own);
      for (const peer of data.peers) peer.postMessage(snapshot);
      const parts = [own, ...(await Promise.all(others)).map(restorePart)];
      for (const peer of data.peers) peer.close();
      site = await openSite(config, { clock, loader, state: loader.combine(parts) });
    }
    const app = createApp(config, site.store, { loader: site.loader });
    // Without precompression nothing reads the compressed variants: skip making them (half the work).
    app.pages.compress = data.precompress;
    // Nor does anything read the ETags: a static host makes its own.
    app.pages.etags = false;
    // Each page is asked for once: keep none of them, nor what they depend on.
    app.pages.keep = false;
    const { jobs, laneEnd, aliases } = listJobs(config, app);
    const fingerprint = createHash('sha256').update(JSON.stringify([jobs, laneEnd, aliases])).digest('hex');
    // A chunk's bodies go to the coordinator, which writes the files, through shared memory (bodyRing.ts).
    const ring = new BodyRingWriter(RING_BYTES);
    let bodies: BodyRef[] = [];
    const runner = new JobRunner(app, config, { put: (_rel, body) => bodies.push(ring.put(body)) }, data.precompress);
    let queue = Promise.resolve();
    port.on('message', (m: ToWorker) => {
      if (m.type === 'stop') {
        site.store.dispose();
        // Ends this thread only; whatever the app keeps running must not hold the export open.
        process.exit(0);
      }
      // Chunks arrive ahead of time; each starts when the one before it is done, in the order given.
      queue = queue
        .then(async () => {
          const results: JobResult[] = [];
          for (let i = m.start; i < m.end; i++) results.push(...(await runner.run(jobs[i]!, i >= laneEnd)));
          post({ type: 'done', index: data.index, results, bodies, end: ring.end });
          bodies = [];
        })
        .catch((err: unknown) => post({ type: 'failed', index: data.index, message: describe(err) }));
    });
    const problems = data.index === 0 ? site.store.content.diagnostics.map(formatDiagnostic) : undefined;
    post({ type: 'ready', index: data.index, fingerprint, count: jobs.length, ring: ring.shared, ...(data.index === 0 ? { jobs, laneEnd, aliases, problems } : {}) });
  } catch (err) {
    post({ type: 'failed', index: data.index, message: describe(err) });
  }
}

if (parentPort && (workerData as WorkerData | undefined)?.outDir !== undefined) void main();

// The Markdown budget's probe thread imports the module its code is in and calls this: in the bundled
// worker (scripts/bundle-export.mjs) that module is the bundle, so the bundle must offer it too.
export { serveProbes } from '../content/markdownBudget.js';
