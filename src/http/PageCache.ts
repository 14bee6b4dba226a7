// Prepared responses by request path, with dependency keys so a content change drops only the pages that
// show what changed. Invalidation is lazy: dropped pages are rendered again on their next request.
// A byte budget bounds memory on very large sites; eviction uses the CLOCK rule (recently read pages stay).

import type { Prepared } from './prepared.js';

interface Slot {
  readonly prepared: Prepared;
  readonly deps: readonly string[];
  readonly bytes: number;
  hot: boolean;
}

export class PageCache {
  private readonly slots = new Map<string, Slot>();
  private readonly index = new Map<string, Set<string>>();
  private bytes = 0;
  /** Counts renders and invalidations, for tests and the benchmark. */
  readonly stats = { hits: 0, misses: 0, invalidated: 0, evicted: 0 };

  constructor(private readonly maxBytes = 512 * 1024 * 1024) {}

  get size(): number {
    return this.slots.size;
  }

  get(path: string): Prepared | undefined {
    const slot = this.slots.get(path);
    if (!slot) return undefined;
    slot.hot = true;
    return slot.prepared;
  }

  has(path: string): boolean {
    return this.slots.has(path);
  }

  set(path: string, prepared: Prepared, deps: readonly string[]): void {
    this.delete(path);
    const bytes = prepared.identity.body.length + (prepared.gzip?.body.length ?? 0) + (prepared.br?.body.length ?? 0) + 512;
    this.slots.set(path, { prepared, deps, bytes, hot: false });
    this.bytes += bytes;
    for (const d of deps) {
      let set = this.index.get(d);
      if (!set) {
        set = new Set();
        this.index.set(d, set);
      }
      set.add(path);
    }
    if (this.bytes > this.maxBytes) this.evict();
  }

  /** Puts `next` in place of `previous` (same dependencies); false when the path no longer holds `previous`. */
  replace(path: string, previous: Prepared, next: Prepared): boolean {
    const slot = this.slots.get(path);
    if (!slot || slot.prepared !== previous) return false;
    this.set(path, next, slot.deps);
    return true;
  }

  /** Returns the cached page or renders, stores and returns it; undefined when the renderer finds nothing. */
  getOrRender(path: string, render: () => { prepared: Prepared; deps: readonly string[] } | undefined): Prepared | undefined {
    const hit = this.get(path);
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const made = render();
    if (!made) return undefined;
    this.set(path, made.prepared, made.deps);
    return made.prepared;
  }

  delete(path: string): void {
    const slot = this.slots.get(path);
    if (!slot) return;
    this.slots.delete(path);
    this.bytes -= slot.bytes;
    for (const d of slot.deps) {
      const set = this.index.get(d);
      set?.delete(path);
      if (set && set.size === 0) this.index.delete(d);
    }
  }

  /** Drops every page that depends on any of the keys. */
  invalidate(keys: Iterable<string>): number {
    let n = 0;
    for (const k of keys) {
      const set = this.index.get(k);
      if (!set) continue;
      for (const path of [...set]) {
        this.delete(path);
        n++;
      }
    }
    this.stats.invalidated += n;
    return n;
  }

  clear(): void {
    this.stats.invalidated += this.slots.size;
    this.slots.clear();
    this.index.clear();
    this.bytes = 0;
  }

  private evict(): void {
    const target = this.maxBytes * 0.9;
    for (const [path, slot] of this.slots) {
      if (this.bytes <= target) break;
      if (slot.hot) {
        // Second chance: move to the back of the queue.
        slot.hot = false;
        this.slots.delete(path);
        this.slots.set(path, slot);
        continue;
      }
      this.delete(path);
      this.stats.evicted++;
    }
  }
}
