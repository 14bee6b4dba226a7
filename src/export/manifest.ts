// The list of files an export wrote, kept in the output folder, so the next run deletes the files of
// pages that no longer exist and never touches a file it did not write.

import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from './generatedFiles.js';

export interface Manifest {
  readonly generator: 'newsroom export';
  readonly version: 1;
  readonly siteUrl: string;
  readonly files: readonly string[];
}

/** A relative "/"-separated path that stays inside the folder; anything else in a manifest is ignored. */
export function isSafeRelative(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The previous run's manifest, undefined when there is none; throws when it exists but is not one of ours. */
export function readManifest(outDir: string): Manifest | undefined {
  const file = path.join(outDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot be read`, { cause: err });
  }
  let data: Partial<Manifest>;
  try {
    data = JSON.parse(text) as Partial<Manifest>;
  } catch (cause) {
    throw new Error(`${file}: is not valid JSON; delete it only if the folder holds nothing but an export`, { cause });
  }
  if (data.generator !== 'newsroom export' || !Array.isArray(data.files)) throw new Error(`${file}: is not an export manifest`);
  return { generator: 'newsroom export', version: 1, siteUrl: String(data.siteUrl ?? ''), files: data.files.filter((f): f is string => typeof f === 'string' && isSafeRelative(f)) };
}

export function writeManifest(outDir: string, siteUrl: string, files: Iterable<string>): void {
  const manifest: Manifest = { generator: 'newsroom export', version: 1, siteUrl, files: [...new Set(files)].sort() };
  const file = path.join(outDir, MANIFEST_FILE);
  const text = `${JSON.stringify(manifest, null, 1)}\n`;
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    // first export here
  }
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
