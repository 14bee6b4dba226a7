// The files under public/ that the app serves as they are: what express.static answers with
// `dotfiles: 'ignore'`, plus /.well-known/ (mounted on its own). Sorted, so every worker lists them alike.

import { readdirSync, statSync, type Dirent } from 'node:fs';
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
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (cause) {
      if (rel.length === 0 && (cause as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`${dir}: cannot be listed`, { cause });
    }
    for (const entry of entries) {
      const name = entry.name;
      const hidden = name.startsWith('.') && !(rel.length === 0 && name === '.well-known');
      if (hidden) continue;
      const segments = [...rel, name];
      // The listing's own type, with no stat per file; a symbolic link is followed, as express.static does.
      const st = entry.isSymbolicLink() ? statSync(path.join(dir, name), { throwIfNoEntry: false }) : entry;
      if (!st) continue;
      if (st.isDirectory()) walk(segments);
      else if (st.isFile()) out.push({ url: `/${segments.map(encodeURIComponent).join('/')}`, file: segments.join('/') });
    }
  };
  walk([]);
  return out;
}
