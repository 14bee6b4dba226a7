// The files of public/ the export copies: what the app serves as they are, in a stable order.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publicFiles } from '../src/export/publicFiles.js';
import { removeDir, tempDir } from './helpers/site.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) removeDir(dir);
  dir = undefined;
});

describe('publicFiles', () => {
  it('lists files and folders by name, skips dot-files except /.well-known, and follows symbolic links', () => {
    dir = tempDir();
    const pub = path.join(dir, 'public');
    mkdirSync(path.join(pub, 'images', 'gen'), { recursive: true });
    mkdirSync(path.join(pub, '.well-known'));
    mkdirSync(path.join(pub, '.git'));
    mkdirSync(path.join(dir, 'elsewhere'));
    for (const f of ['robots-extra.txt', 'images/b.png', 'images/a b.png', 'images/gen/c.png', '.well-known/security.txt', '.hidden', '.git/config', 'images/.DS_Store']) {
      writeFileSync(path.join(pub, f), 'x');
    }
    writeFileSync(path.join(dir, 'elsewhere', 'shared.css'), 'x');
    symlinkSync(path.join(dir, 'elsewhere', 'shared.css'), path.join(pub, 'linked.css'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(pub, 'linked-dir'));
    symlinkSync(path.join(dir, 'missing'), path.join(pub, 'dangling.css'));
    expect(publicFiles(pub)).toEqual([
      { url: '/.well-known/security.txt', file: '.well-known/security.txt' },
      { url: '/images/a%20b.png', file: 'images/a b.png' },
      { url: '/images/b.png', file: 'images/b.png' },
      { url: '/images/gen/c.png', file: 'images/gen/c.png' },
      { url: '/linked-dir/shared.css', file: 'linked-dir/shared.css' },
      { url: '/linked.css', file: 'linked.css' },
      { url: '/robots-extra.txt', file: 'robots-extra.txt' },
    ]);
    expect(publicFiles(path.join(dir, 'no-such-folder'))).toEqual([]);
  });
});
