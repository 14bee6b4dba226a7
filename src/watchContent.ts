// Live reload: watches CONTENT_DIR and swaps in the new site when Markdown files change.
//
// One non-recursive fs.watch per folder (inotify on Linux) instead of Node 20's `recursive: true`, which on
// Linux puts a watch on every file, stats synchronously on each event, stops seeing a file once an editor
// saves it by renaming a temporary file over it, and goes silent for good when its root folder is deleted.
// Events are debounced (40 ms of quiet after an editor's save; 200 ms, capped at 800 ms, during a bulk change,
// so a `git pull` of 1,000 files is one or two reloads) and reloads never overlap: a change during a reload
// schedules exactly one more. A reload after file events re-reads only the files they named.

import { EventEmitter } from 'node:events';
import { lstatSync, readdirSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { isIgnoredName, type LoadHint } from './content/ContentLoader.js';
import type { OpenSite } from './openSite.js';

/** Reload once events have been quiet this long... */
const QUIET_MS = 40;
/** ...or this long after the first event of a batch, whichever comes first. */
const MAX_WAIT_MS = 300;
/**
 * An editor's save is a handful of events; more than this many pending means a bulk operation (git pull,
 * checkout, rsync) is under way, whose writer may pause for a scheduler tick or a disk flush: wait for it to
 * finish instead of reloading in every pause.
 */
const BULK_EVENTS = 20;
const BULK_QUIET_MS = 200;
const BULK_MAX_WAIT_MS = 800;
/** How often CONTENT_DIR itself is checked (it may be deleted, replaced or re-created). */
const ROOT_POLL_MS = 500;
/** When some folder cannot be watched (e.g. the inotify watch limit), reload on a timer instead. */
const FALLBACK_RELOAD_MS = 5000;
/** Same bound as the loader's folder depth. */
const MAX_DEPTH = 32;

export interface ReloadInfo {
  /** Time the reload took, in ms. */
  readonly ms: number;
  /** False when only the files named by the events were re-read. */
  readonly full: boolean;
  /** Markdown files the events named (0 for a full reload). */
  readonly changed: number;
  /** Articles in the site after the reload (drafts and scheduled ones included). */
  readonly articles: number;
}

export interface ContentWatcher {
  /** Number of reloads started, for tests and the benchmark. */
  readonly rebuilds: number;
  /** Resolves when no reload is waiting or running. */
  idle(): Promise<void>;
  on(event: 'reloaded', listener: (info: ReloadInfo) => void): unknown;
  off(event: 'reloaded', listener: (info: ReloadInfo) => void): unknown;
  close(): Promise<void>;
}

/** Editors' temporary and backup files, hidden files, and names the loader skips: never worth a reload. */
function ignoredName(name: string): boolean {
  return isIgnoredName(name) || /(\.sw[a-p]|\.tmp|\.bak|___jb_(tmp|old)___|\.crswap)$/i.test(name) || name.toLowerCase() === 'readme.md';
}

const isMarkdown = (name: string): boolean => name.toLowerCase().endsWith('.md');

/** (l)stat, or undefined when the entry is gone or cannot be read. */
function stat(full: string, link = false): Stats | undefined {
  try {
    return (link ? lstatSync : statSync)(full, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

class Watcher extends EventEmitter<{ reloaded: [ReloadInfo] }> implements ContentWatcher {
  private readonly root: string;
  private readonly dirs = new Map<string, FSWatcher>();
  private parent: FSWatcher | undefined;
  /** dev:inode of the folder being watched; undefined while CONTENT_DIR is missing. */
  private rootKey: string | undefined;
  private readonly changed = new Set<string>();
  private full = false;
  private firstEventAt: number | undefined;
  private events = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly poll: NodeJS.Timeout;
  private degradedSince: number | undefined;
  private lastFallback = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  private count = 0;

  constructor(
    config: Config,
    private readonly site: OpenSite,
    private readonly logger: Logger,
  ) {
    super();
    this.root = path.resolve(config.contentDir);
    this.watchRoot();
    this.watchParent();
    this.poll = setInterval(() => this.checkRoot(), ROOT_POLL_MS);
    this.poll.unref();
  }

  get rebuilds(): number {
    return this.count;
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unwatch(this.root);
    this.parent?.close();
    this.parent = undefined;
    await this.running;
    this.settle();
  }

  private isIdle(): boolean {
    return this.closed || (this.timer === undefined && this.running === undefined);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }

  private rel(full: string): string {
    return path.relative(this.root, full).split(path.sep).join('/');
  }

  // --- folders -------------------------------------------------------------------------------------------

  /** Watches CONTENT_DIR and every folder under it; false when it does not exist. */
  private watchRoot(): boolean {
    const st = stat(this.root);
    if (!st?.isDirectory()) {
      this.rootKey = undefined;
      return false;
    }
    this.rootKey = `${st.dev}:${st.ino}`;
    this.watchTree(this.root, 0);
    return true;
  }

  /** The parent folder tells at once when CONTENT_DIR is removed or created (the poll is the safety net). */
  private watchParent(): void {
    const name = path.basename(this.root);
    try {
      this.parent = watch(path.dirname(this.root), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.checkRoot();
      });
      this.parent.on('error', () => {
        this.parent?.close();
        this.parent = undefined;
      });
    } catch {
      this.parent = undefined; // e.g. a parent we may not read: polling still notices
    }
  }

  /** Watch first, then list, so a folder created meanwhile is never missed. */
  private watchTree(dir: string, depth: number): void {
    if (this.closed || depth > MAX_DEPTH || this.dirs.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (_event, file) => this.onEvent(dir, file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.degrade(dir, err);
      return;
    }
    w.on('error', (err) => {
      this.unwatch(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.degrade(dir, err);
      this.structural();
    });
    this.dirs.set(dir, w);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed meanwhile: its parent's event says so
    }
    for (const d of entries) {
      if (d.isDirectory() && !isIgnoredName(d.name)) this.watchTree(path.join(dir, d.name), depth + 1);
    }
  }

  private unwatch(dir: string): void {
    const prefix = dir + path.sep;
    for (const [d, w] of this.dirs) {
      if (d === dir || d.startsWith(prefix)) {
        w.close();
        this.dirs.delete(d);
      }
    }
  }

  private degrade(dir: string, err: unknown): void {
    if (this.degradedSince !== undefined) return;
    this.degradedSince = Date.now();
    this.logger.warn(
      { err, dir: this.rel(dir) || '.' },
      `a content folder cannot be watched (${(err as NodeJS.ErrnoException).code ?? 'error'}); reloading every ${FALLBACK_RELOAD_MS / 1000} s instead (on Linux, raise fs.inotify.max_user_watches)`,
    );
  }

  /** CONTENT_DIR deleted, replaced or re-created: re-establish the watchers and reload everything. */
  private checkRoot(): void {
    if (this.closed) return;
    const st = stat(this.root);
    const key = st?.isDirectory() ? `${st.dev}:${st.ino}` : undefined;
    if (key === this.rootKey) {
      if (this.degradedSince !== undefined && key !== undefined && Date.now() - this.lastFallback >= FALLBACK_RELOAD_MS) {
        this.lastFallback = Date.now();
        this.structural();
      }
      return;
    }
    this.unwatch(this.root);
    if (key === undefined) {
      this.rootKey = undefined;
      this.logger.warn('CONTENT_DIR was removed; the site keeps serving what it had until the folder is back');
      return;
    }
    this.logger.info('CONTENT_DIR appeared or was replaced; reloading all content');
    this.watchRoot();
    if (!this.parent) this.watchParent();
    this.structural();
  }

  // --- events --------------------------------------------------------------------------------------------

  private onEvent(dir: string, file: string | null): void {
    if (this.closed) return;
    if (file === null) return this.structural();
    const full = path.join(dir, file);
    // A folder reports its own deletion under its own name.
    if (file === path.basename(dir) && !stat(dir)?.isDirectory()) {
      if (dir === this.root) return this.checkRoot();
      this.unwatch(dir);
      return this.structural();
    }
    if (ignoredName(file)) return;
    const st = stat(full, true);
    if (st?.isDirectory()) {
      this.watchTree(full, this.rel(full).split('/').length);
      return this.structural();
    }
    if (!st && this.dirs.has(full)) {
      this.unwatch(full);
      return this.structural();
    }
    if (isMarkdown(file)) {
      this.changed.add(this.rel(full));
      return this.schedule();
    }
    // A link may lead to a folder; anything else (images, notes, lock files) is not content.
    if (st?.isSymbolicLink()) this.structural();
  }

  /** Folders came or went: list everything again on the next reload. */
  private structural(): void {
    this.full = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstEventAt ??= now;
    this.events++;
    if (this.timer) clearTimeout(this.timer);
    const bulk = this.events > BULK_EVENTS;
    const wait = Math.max(0, Math.min(bulk ? BULK_QUIET_MS : QUIET_MS, this.firstEventAt + (bulk ? BULK_MAX_WAIT_MS : MAX_WAIT_MS) - now));
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    // The reload in progress calls schedule() again when it ends; the changes stay pending until then.
    if (this.running) return;
    if (this.rootKey === undefined) {
      // Nothing to read while the folder is gone: checkRoot() reloads everything when it is back.
      this.firstEventAt = undefined;
      this.events = 0;
      return this.settle();
    }
    const hint: LoadHint | undefined = this.full ? undefined : { changed: new Set(this.changed) };
    const info = { full: this.full, changed: this.full ? 0 : this.changed.size };
    this.changed.clear();
    this.full = false;
    this.firstEventAt = undefined;
    this.events = 0;
    this.count++;
    const started = performance.now();
    this.running = this.site
      .reload(hint)
      .then(
        (state) => {
          const done: ReloadInfo = { ...info, ms: Math.round((performance.now() - started) * 10) / 10, articles: state.articles.length };
          this.logger.info(done, 'content reloaded');
          this.emit('reloaded', done);
        },
        (err: unknown) => this.logger.error({ err }, 'content reload failed; the site keeps serving what it had'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.full || this.changed.size > 0) this.schedule();
        else this.settle();
      });
  }
}

/** Starts watching config.contentDir; every change reloads `site` (see the notes at the top). */
export function watchContent(config: Config, site: OpenSite, logger: Logger): ContentWatcher {
  return new Watcher(config, site, logger);
}
