import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_MALLOC_TUNABLES, EXPORT_NODE_FLAGS, exportEnv, missingNodeFlags } from '../src/export/exportNodeFlags.js';
import { REPO, removeDir, tempDir } from './helpers/site.js';

describe('EXPORT_NODE_FLAGS', () => {
  it('are options this Node starts with (npm run export passes them on its command line)', () => {
    const r = spawnSync(process.execPath, [...EXPORT_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([...EXPORT_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))']);
  });

  it('missingNodeFlags lists those a process was started without, and GLIBC_TUNABLES when it is not set', () => {
    const tuned = { GLIBC_TUNABLES: EXPORT_MALLOC_TUNABLES };
    expect(EXPORT_NODE_FLAGS).toEqual(['--interrupt-budget=400000', '--single-threaded']);
    expect(missingNodeFlags([], tuned)).toEqual(['--interrupt-budget=400000', '--single-threaded']);
    expect(missingNodeFlags(['--interrupt-budget=67584', '--single-threaded'], tuned)).toEqual(['--interrupt-budget=400000']);
    expect(missingNodeFlags(['--single-threaded-gc', '--interrupt-budget=400000'], tuned)).toEqual(['--single-threaded']);
    expect(missingNodeFlags(['--import', 'tsx', '--single-threaded', '--interrupt-budget=400000'], tuned)).toEqual([]);
    expect(missingNodeFlags([...EXPORT_NODE_FLAGS], {})).toEqual(['GLIBC_TUNABLES']);
    expect(missingNodeFlags([...EXPORT_NODE_FLAGS], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual([]);
  });

  it('exportEnv adds the allocator tuning, keeps an operator\'s own GLIBC_TUNABLES, and drops NODE_EXTRA_CA_CERTS', () => {
    expect(exportEnv({ PATH: '/bin', SITE_URL: 'https://news.example' })).toEqual({ PATH: '/bin', SITE_URL: 'https://news.example', GLIBC_TUNABLES: EXPORT_MALLOC_TUNABLES });
    expect(exportEnv({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES: EXPORT_MALLOC_TUNABLES });
    expect(exportEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' });
    const given = { PATH: '/bin' };
    exportEnv(given);
    expect(given).toEqual({ PATH: '/bin' });
  });

  // glibc ignores a tunable it does not know, silently: its own loader lists those it knows. Linux with
  // glibc only (CI is Debian); elsewhere the variable means nothing and there is nothing to check.
  const loader = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((f) => existsSync(f));
  it.runIf(loader !== undefined)('every tunable is one this glibc knows, within its range', () => {
    const r = spawnSync(loader!, ['--list-tunables'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const t of EXPORT_MALLOC_TUNABLES.split(':')) {
      const [name, value] = t.split('=') as [string, string];
      const line = r.stdout.split('\n').find((l) => l.startsWith(`${name}:`));
      expect(line, name).toBeDefined();
      const [, min, max] = /\(min: (0x[0-9a-f]+|\d+), max: (0x[0-9a-f]+|\d+)\)/.exec(line!)!;
      expect(BigInt(value) >= BigInt(min!) && BigInt(value) <= BigInt(max!), `${name}=${value}`).toBe(true);
    }
  });

  it('the export CLI says when it was started without them, and is quiet when it was', () => {
    const dir = tempDir();
    try {
      const cli = (flags: readonly string[], env: Record<string, string> = {}) =>
        spawnSync(process.execPath, [...flags, '--import', 'tsx', path.join(REPO, 'src/cli/export.ts'), path.join(dir, 'out')], {
          cwd: REPO,
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8',
        });
      const bare = cli([]);
      expect(bare.status).toBe(2);
      expect(bare.stderr).toContain(
        'note: started without --interrupt-budget=400000 --single-threaded GLIBC_TUNABLES, which npm run export sets; the export takes longer without (about 15% without the options, 5% without the tunables)\n',
      );
      const tuned = cli(EXPORT_NODE_FLAGS, { GLIBC_TUNABLES: EXPORT_MALLOC_TUNABLES });
      expect(tuned.status).toBe(2);
      expect(tuned.stderr).toContain('SITE_URL is not set');
      expect(tuned.stderr).not.toContain('note:');
    } finally {
      removeDir(dir);
    }
  });
});
