// An export worker rebuilds the content other workers loaded: the entries must come back the same,
// field for field, with their bodies read from the same shared bytes.

import { describe, expect, it } from 'vitest';
import type { LoadedPart } from '../src/content/ContentLoader.js';
import type { Article, Page } from '../src/content/model.js';
import { parseEntry, restoreEntry, snapshotEntry } from '../src/content/parseEntry.js';
import { restorePart, snapshotPart } from '../src/export/siteSnapshot.js';

const ctx = { timezone: 'Europe/Paris', maxBytes: 1_000_000, imageInfo: () => ({ width: 1200, height: 800 }) };
const parse = (file: string, text: string, kind: 'article' | 'page' = 'article'): Article | Page => {
  const r = parseEntry(file, Buffer.from(text, 'utf8'), ctx, kind);
  if (!r.entry) throw new Error(`${file} did not parse`);
  return r.entry;
};

const ARTICLE = [
  '---',
  'title: "Council Backs the Night Bus"',
  'date: 2024-03-22T09:30:00+01:00',
  'author: [Ana Ruiz, Tom Lee]',
  'tags: [Transport, City Hall]',
  'image: { src: /images/bus.jpg, alt: A night bus, credit: Photo by Ana Ruiz }',
  'source: { name: Example Wire, url: "https://wire.example/bus" }',
  'aliases: [/old/night-bus]',
  '---',
  '',
  'The council voted 9–2 for a night bus, after a year of “pilot” routes. See [the vote](/articles/vote/).',
  '',
  '## What changes',
  '',
  'Buses run until 3 a.m. on weekdays.',
  '',
].join('\n');
const PAGE = '---\ntitle: About us\n---\n\nWe report on the city.\n';

describe('snapshotEntry and restoreEntry', () => {
  it('give back an equal article, body-derived fields included', () => {
    const a = parse('night-bus.md', ARTICLE);
    const back = restoreEntry(structuredClone(snapshotEntry(a)));
    expect(back).toEqual(a);
    expect(back.body).toBe(a.body);
    expect(back.description).toBe('The council voted 9–2 for a night bus, after a year of “pilot” routes. See the vote. Buses run until 3 a.m. on weekdays.');
    expect((back as Article).words).toBe((a as Article).words);
    expect(Object.isFrozen(back)).toBe(true);
  });

  it('send the body fields as bytes, not as values', () => {
    const s = snapshotEntry(parse('night-bus.md', ARTICLE));
    expect(Object.keys(s.fields)).not.toContain('body');
    expect(Object.keys(s.fields)).not.toContain('description');
    expect(Buffer.from(s.body).toString('utf8')).toContain('Buses run until 3 a.m.');
  });

  it('share the bytes with the receiving thread instead of copying them', () => {
    const s = snapshotEntry(parse('night-bus.md', ARTICLE));
    expect(s.body.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('snapshotPart and restorePart', () => {
  it('rebuild a worker\'s part: its files in order, their entries and their problems', () => {
    const bad = { path: 'bad.md', line: 2, column: 1, field: 'title', severity: 'error' as const, message: 'is required' };
    const part: LoadedPart = {
      index: 1,
      count: 2,
      at: [1, 3, 4],
      rels: ['bad.md', 'night-bus.md', 'pages/about.md'],
      results: [{ diagnostics: [bad] }, { entry: parse('night-bus.md', ARTICLE), diagnostics: [] }, { entry: parse('pages/about.md', PAGE, 'page'), diagnostics: [] }],
    };
    const back = restorePart(structuredClone(snapshotPart(part)));
    expect(back).toEqual(part);
    expect(back.results[0]).toEqual({ diagnostics: [bad] });
    expect(back.results[1]!.entry!.slug).toBe('night-bus');
    expect(back.results[2]!.entry!.body).toBe('\nWe report on the city.\n');
  });
});
