import { describe, expect, it } from 'vitest';
import { BodyRingReader, BodyRingWriter, type BodyRef } from '../src/export/bodyRing.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Buffer): string => b.toString('utf8');

describe('BodyRingWriter and BodyRingReader', () => {
  it('pass bodies through shared memory, in order, until the reader frees their space', () => {
    const w = new BodyRingWriter(16);
    const r = new BodyRingReader(w.shared);
    const a = w.put(bytes('hello'));
    const b = w.put(bytes('world!'));
    expect(a).toEqual({ at: 0, length: 5 });
    expect(b).toEqual({ at: 5, length: 6 });
    expect(w.end).toBe(11);
    expect([text(r.body(a)), text(r.body(b))]).toEqual(['hello', 'world!']);
    // 5 bytes left: a 6-byte body does not fit until the reader is done with the first two.
    const big = bytes('abcdef');
    expect(w.put(big)).toBe(big);
    r.release(w.end);
    // It would cross the end, so it starts again at the beginning (the 5 bytes at the end are skipped).
    const c = w.put(big);
    expect(c).toEqual({ at: 0, length: 6 });
    expect(w.end).toBe(22);
    expect(text(r.body(c))).toBe('abcdef');
  });

  it('sends a body larger than the ring in the message itself', () => {
    const w = new BodyRingWriter(8);
    const r = new BodyRingReader(w.shared);
    const body = bytes('more than eight bytes');
    const ref: BodyRef = w.put(body);
    expect(ref).toBe(body);
    expect(w.end).toBe(0);
    expect(text(r.body(ref))).toBe('more than eight bytes');
  });

  it('never overwrites a body the reader has not released', () => {
    const w = new BodyRingWriter(10);
    const r = new BodyRingReader(w.shared);
    const first = w.put(bytes('0123456789'));
    expect(first).toEqual({ at: 0, length: 10 });
    const next = bytes('x');
    expect(w.put(next)).toBe(next);
    expect(text(r.body(first))).toBe('0123456789');
    r.release(w.end);
    expect(w.put(next)).toEqual({ at: 0, length: 1 });
    expect(text(r.body(first)).slice(1)).toBe('123456789');
  });

  it('gives the reader a view of the same memory, not a copy', () => {
    const w = new BodyRingWriter(4);
    const r = new BodyRingReader(w.shared);
    const view = r.body(w.put(bytes('ab')));
    expect(view.buffer).toBe(w.shared);
    expect(text(view)).toBe('ab');
  });
});
