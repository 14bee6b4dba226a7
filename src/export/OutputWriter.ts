// Writes export files only when their bytes differ from what is on disk, so a re-run touches only what
// changed (and a CDN upload or rsync afterwards moves only those). A file an earlier export wrote is
// replaced through a temporary name and a rename, so a server reading the folder never sees half of it;
// a new file is written in place (nothing served it before). No fsync per file: an export can always be
// run again. Each folder is created once, and not at all when an earlier export made it.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

export class OutputWriter {
  private readonly dirs = new Set<string>();
  written = 0;
  unchanged = 0;

  /**
   * @param previous files ("/"-separated, relative to root) an earlier export wrote: only these can already
   *   hold the same bytes, so only these are read and compared.
   */
  constructor(
    readonly root: string,
    private readonly previous: ReadonlySet<string> = new Set(),
  ) {
    for (const rel of previous) this.dirs.add(path.dirname(path.join(root, rel)));
  }

  /** Writes `rel` when its bytes changed; true when written. */
  write(rel: string, data: Buffer): boolean {
    const file = path.join(this.root, rel);
    const existed = this.previous.has(rel);
    if (existed && sameBytes(file, data)) {
      this.unchanged++;
      return false;
    }
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) this.makeDir(dir);
    try {
      this.put(file, data, existed);
    } catch (err) {
      // A folder an earlier export made may have been removed since.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: cannot be written`, { cause: err });
      this.makeDir(dir);
      try {
        this.put(file, data, existed);
      } catch (cause) {
        throw new Error(`${file}: cannot be written`, { cause });
      }
    }
    this.written++;
    return true;
  }

  private put(file: string, data: Buffer, replace: boolean): void {
    if (!replace) {
      writeFileSync(file, data);
      return;
    }
    const tmp = `${file}.${process.pid}-${threadId}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  }

  private makeDir(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new Error(`${dir}: cannot create the folder`, { cause });
    }
    this.dirs.add(dir);
  }
}

function sameBytes(file: string, data: Buffer): boolean {
  let existing: Buffer;
  try {
    existing = readFileSync(file);
  } catch {
    // Gone, or a folder in the way: either way, write.
    return false;
  }
  return existing.equals(data);
}
