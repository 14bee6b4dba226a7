// The files under public/ that the app serves as they are: what express.static answers with
// `dotfiles: 'ignore'`, plus /.well-known/ (mounted on its own). Sorted, so every worker lists them alike.

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface PublicFile {
  /** URL path, each segment percent-encoded. */
  readonly url: string;
  /** Path relative to public/ ("/"-separated); also where the copy goes in the output folder. */
  readonly file: string;
}

export function publicFiles(publicDir: string): PublicFile[] {
  const out: PublicFile[] = [];
  const walk = (rel: string[]): void => {
    const dir = path.join(publicDir, ...rel);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (cause) {
      if (rel.length === 0 && (cause as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`${dir}: cannot be listed`, { cause });
    }
    for (const name of names) {
      const hidden = name.startsWith('.') && !(rel.length === 0 && name === '.well-known');
      if (hidden) continue;
      const segments = [...rel, name];
      const st = statSync(path.join(dir, name), { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(segments);
      else if (st.isFile()) out.push({ url: `/${segments.map(encodeURIComponent).join('/')}`, file: segments.join('/') });
    }
  };
  walk([]);
  return out;
}
