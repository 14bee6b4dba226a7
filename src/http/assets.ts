// Static assets served under content-hashed names (/assets/style.<hash>.css) so browsers and CDNs may keep
// them for a year. The manifest maps logical names to hashed URLs for templates.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Asset {
  readonly url: string;
  readonly body: Buffer;
  readonly type: string;
}

export type AssetManifest = ReadonlyMap<string, Asset>;

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** Hashes the named files under publicDir; a missing file is a start-up error naming it. */
export function buildAssets(publicDir: string, names: readonly string[]): AssetManifest {
  const out = new Map<string, Asset>();
  for (const name of names) {
    const file = path.join(publicDir, name);
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch (cause) {
      throw new Error(`asset public/${name} cannot be read`, { cause });
    }
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const ext = path.extname(name);
    const base = path.basename(name, ext);
    out.set(name, { url: `/assets/${base}.${hash}${ext}`, body, type: TYPES[ext] ?? 'application/octet-stream' });
  }
  return out;
}

export const ASSET_NAMES = ['style.css'] as const;
