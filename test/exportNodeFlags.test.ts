import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_NODE_FLAGS, missingNodeFlags } from '../src/export/exportNodeFlags.js';
import { REPO, removeDir, tempDir } from './helpers/site.js';

describe('EXPORT_NODE_FLAGS', () => {
  it('are options this Node starts with (npm run export passes them on its command line)', () => {
    const r = spawnSync(process.execPath, [...EXPORT_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([...EXPORT_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))']);
  });

  it('missingNodeFlags lists those a process was started without', () => {
    expect(EXPORT_NODE_FLAGS).toEqual(['--interrupt-budget=400000', '--single-threaded']);
    expect(missingNodeFlags([])).toEqual(['--interrupt-budget=400000', '--single-threaded']);
    expect(missingNodeFlags(['--interrupt-budget=67584', '--single-threaded'])).toEqual(['--interrupt-budget=400000']);
    expect(missingNodeFlags(['--single-threaded-gc', '--interrupt-budget=400000'])).toEqual(['--single-threaded']);
    expect(missingNodeFlags(['--import', 'tsx', '--single-threaded', '--interrupt-budget=400000'])).toEqual([]);
  });

  it('the export CLI says when it was started without them, and is quiet when it was', () => {
    const dir = tempDir();
    try {
      const cli = (flags: readonly string[]) =>
        spawnSync(process.execPath, [...flags, '--import', 'tsx', path.join(REPO, 'src/cli/export.ts'), path.join(dir, 'out')], {
          cwd: REPO,
          env: { PATH: process.env.PATH },
          encoding: 'utf8',
        });
      const bare = cli([]);
      expect(bare.status).toBe(2);
      expect(bare.stderr).toContain('note: started without --interrupt-budget=400000 --single-threaded, which npm run export adds; the export takes about 15% longer without\n');
      const tuned = cli(EXPORT_NODE_FLAGS);
      expect(tuned.status).toBe(2);
      expect(tuned.stderr).toContain('SITE_URL is not set');
      expect(tuned.stderr).not.toContain('note:');
    } finally {
      removeDir(dir);
    }
  });
});
