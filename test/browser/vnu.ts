// Runs the W3C Nu HTML Checker (the vnu-jar package, on Java) over documents in one JVM start.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface VnuMessage {
  readonly type: 'error' | 'info' | 'non-document-error';
  readonly subType?: string;
  readonly url?: string;
  readonly lastLine?: number;
  readonly message: string;
  readonly extract?: string;
}

/** The jar's path, as the package exports it. */
const VNU_JAR = String(createRequire(import.meta.url)('vnu-jar'));

/** What the suite does not accept: errors and warnings (info messages are fine). */
export const isProblem = (m: VnuMessage): boolean => m.type !== 'info' || m.subType === 'warning';

export const formatMessage = (m: VnuMessage): string =>
  `${path.basename(decodeURIComponent(m.url ?? '?'))}:${m.lastLine ?? '?'}: ${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}${m.extract ? `\n    ${m.extract.replace(/\n/g, '\\n')}` : ''}`;

/**
 * Checks named documents; names end in .html or .css (CSS is checked with --also-check-css).
 * Returns every message, keyed back to the name it was given.
 */
export async function vnuCheck(docs: ReadonlyMap<string, string>): Promise<Map<string, VnuMessage[]>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'newsroom-vnu-'));
  try {
    const files: string[] = [];
    for (const [name, body] of docs) {
      const file = path.join(dir, name);
      await writeFile(file, body);
      files.push(file);
    }
    const output = await new Promise<string>((resolve, reject) => {
      execFile('java', ['-jar', VNU_JAR, '--format', 'json', '--exit-zero-always', '--also-check-css', ...files], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`vnu.jar failed (is Java installed? \`java -version\`): ${stderr || err.message}`, { cause: err }));
        else resolve(stderr || stdout);
      });
    });
    const { messages } = JSON.parse(output) as { messages: VnuMessage[] };
    const byName = new Map<string, VnuMessage[]>([...docs.keys()].map((n) => [n, []]));
    for (const m of messages) {
      const name = m.url ? path.basename(decodeURIComponent(new URL(m.url).pathname)) : '';
      (byName.get(name) ?? byName.set(name, []).get(name)!).push(m);
    }
    return byName;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
