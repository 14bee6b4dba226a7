// The page cache: render once, dependency-key invalidation, and a byte budget with second-chance eviction.

import { describe, expect, it } from 'vitest';
import { PageCache } from '../src/http/PageCache.js';
import { prepare, type Prepared } from '../src/http/prepared.js';

const page = (text: string, bytes = 0): Prepared => prepare(text.padEnd(bytes, '.'), { type: 'text/plain', cacheControl: 'no-store', baseHeaders: {}, compress: false });

describe('PageCache', () => {
  it('renders a path once, counting hits and misses, and stores nothing when there is no page', () => {
    const cache = new PageCache();
    let renders = 0;
    const render = () => {
      renders++;
      return { prepared: page('home'), deps: ['list'] };
    };
    expect(cache.getOrRender('/', render)!.identity.body.toString()).toBe('home');
    expect(cache.getOrRender('/', render)!.identity.body.toString()).toBe('home');
    expect(renders).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
    expect(cache.getOrRender('/missing/', () => undefined)).toBeUndefined();
    expect(cache.has('/missing/')).toBe(false);
    expect(cache.size).toBe(1);
  });

  it('drops exactly the pages that depend on any of the keys', () => {
    const cache = new PageCache();
    cache.set('/articles/a/', page('a'), ['a:a', 'a:b']);
    cache.set('/articles/b/', page('b'), ['a:b']);
    cache.set('/articles/c/', page('c'), ['a:c']);
    cache.set('/', page('home'), ['path:/']);
    expect(cache.invalidate(['a:b', 'nothing'])).toBe(2);
    expect([cache.has('/articles/a/'), cache.has('/articles/b/'), cache.has('/articles/c/'), cache.has('/')]).toEqual([false, false, true, true]);
    expect(cache.stats.invalidated).toBe(2);
    // Re-adding works, and the old index entries are gone.
    cache.set('/articles/a/', page('a2'), ['a:a']);
    expect(cache.invalidate(['a:b'])).toBe(0);
    expect(cache.invalidate(['a:a'])).toBe(1);
  });

  it('replacing a page replaces its dependencies', () => {
    const cache = new PageCache();
    cache.set('/x/', page('1'), ['old']);
    cache.set('/x/', page('2'), ['new']);
    expect(cache.invalidate(['old'])).toBe(0);
    expect(cache.get('/x/')!.identity.body.toString()).toBe('2');
    expect(cache.invalidate(['new'])).toBe(1);
  });

  it('keeps within its byte budget, giving recently read pages a second chance', () => {
    // Each page counts its body plus 512 bytes of overhead: 1,512 here, so 4 fit in 6,100 bytes.
    const cache = new PageCache(6_100);
    for (const p of ['/1/', '/2/', '/3/', '/4/']) cache.set(p, page(p, 1000), []);
    expect(cache.size).toBe(4);
    cache.get('/1/'); // read: survives the next eviction
    cache.set('/5/', page('/5/', 1000), []);
    expect(cache.has('/1/')).toBe(true);
    expect(cache.has('/2/')).toBe(false);
    expect(cache.has('/5/')).toBe(true);
    expect(cache.stats.evicted).toBeGreaterThanOrEqual(1);
  });

  it('clear drops everything', () => {
    const cache = new PageCache();
    cache.set('/a/', page('a'), ['k']);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.invalidate(['k'])).toBe(0);
  });
});
