// `npm run check [-- --json]`: validates every content file the way the server loads it, and also renders
// every body, so CI refuses what would break or be left out in production. Exit 1 on any error.

import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { ContentLoader } from '../content/ContentLoader.js';
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../content/diagnostic.js';
import { MarkdownError, renderMarkdown, type MarkdownOptions } from '../markdown.js';
import { LAYOUT_IDS } from '../render/Renderer.js';

export interface CheckOptions {
  readonly json?: boolean;
}

export interface CheckResult {
  /** What goes to stdout, ending with a newline. */
  readonly output: string;
  readonly exitCode: 0 | 1;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: number;
}

export const USAGE = 'usage: npm run check [-- --json]';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Loads CONTENT_DIR as a fresh server would (no last good versions) and renders every body. */
export async function runCheck(config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const loader = new ContentLoader({
    contentDir: config.contentDir,
    publicDir: config.publicDir,
    timezone: config.siteTimezone,
    maxBytes: config.maxArticleBytes,
    keepLastGood: false,
  });
  const state = await loader.load();
  const found: Diagnostic[] = [...state.diagnostics];
  const md: MarkdownOptions = { siteOrigin: config.siteUrl, imageSize: loader.imageInfo, reservedIds: LAYOUT_IDS };
  for (const entry of [...state.articles, ...state.pages]) {
    try {
      renderMarkdown(entry.body, md);
    } catch (err) {
      if (!(err instanceof MarkdownError)) throw err;
      found.push({ path: entry.file, line: entry.bodyLine, column: 1, field: 'body', severity: 'error', message: err.message });
    }
  }
  const diagnostics = sortDiagnostics(found);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  let output: string;
  if (options.json) {
    output = `${JSON.stringify(
      diagnostics.map((d) => ({ path: d.path, line: d.line, column: d.column, field: d.field, severity: d.severity, message: d.message })),
      null,
      2,
    )}\n`;
  } else {
    const lines = diagnostics.map(formatDiagnostic);
    lines.push(`checked ${plural(state.files, 'file')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
    output = `${lines.join('\n')}\n`;
  }
  return { output, exitCode: errors > 0 ? 1 : 0, diagnostics, files: state.files };
}

export type ParsedArgs = { kind: 'run'; json: boolean } | { kind: 'help' } | { kind: 'usage-error'; message: string };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  let json = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') return { kind: 'help' };
    else return { kind: 'usage-error', message: `unknown argument "${arg}"` };
  }
  return { kind: 'run', json };
}

interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** The command: returns the exit code (2 for bad usage or invalid configuration). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const args = parseArgs(argv);
  if (args.kind === 'help') {
    io.stdout(`${USAGE}\nValidates every file under CONTENT_DIR; prints path:line:column: field: message per problem. Exit 1 on any error.\n`);
    return 0;
  }
  if (args.kind === 'usage-error') {
    io.stderr(`check: ${args.message}\n${USAGE}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`check: configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const result = await runCheck(config, { json: args.json });
  io.stdout(result.output);
  return result.exitCode;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  main(process.argv.slice(2), process.env, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`check failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
