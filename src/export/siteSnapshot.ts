// The export's workers split the first load of the content: each reads and parses a share of the files
// (ContentLoader.loadPart), then sends what it parsed to the others as data, so every worker ends up with
// the whole site while each file is parsed once. An entry travels as its fields plus its body's bytes, which
// live in shared memory and are not copied (see snapshotEntry).

import type { FileResult, LoadedPart } from '../content/ContentLoader.js';
import type { Diagnostic } from '../content/diagnostic.js';
import { restoreEntry, snapshotEntry, type EntrySnapshot } from '../content/parseEntry.js';

export interface PartSnapshot {
  readonly index: number;
  readonly count: number;
  readonly at: readonly number[];
  readonly rels: readonly string[];
  readonly results: readonly { readonly entry?: EntrySnapshot; readonly diagnostics: readonly Diagnostic[] }[];
}

export function snapshotPart(part: LoadedPart): PartSnapshot {
  return { ...part, results: part.results.map((r) => (r.entry ? { entry: snapshotEntry(r.entry), diagnostics: r.diagnostics } : { diagnostics: r.diagnostics })) };
}

export function restorePart(snapshot: PartSnapshot): LoadedPart {
  const results: FileResult[] = snapshot.results.map((r) => (r.entry ? { entry: restoreEntry(r.entry), diagnostics: r.diagnostics } : { diagnostics: r.diagnostics }));
  return { ...snapshot, results };
}
