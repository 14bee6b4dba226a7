// Splits a Markdown file into YAML front matter and body, and parses the YAML safely.
// Safety: plain YAML 1.2 core schema only (no custom tags, no code engines such as ---js),
// duplicate keys are errors, alias expansion is bounded, and deep nesting is refused before parsing.

import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostic.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface FrontMatter {
  /** Plain data: objects have the prototype of Object but keys such as __proto__ are own properties. */
  readonly data: Record<string, unknown>;
  readonly body: string;
  /** 1-based line in the file where the body starts. */
  readonly bodyLine: number;
  /** Where a key path (e.g. ["image", "src"]) is in the file; falls back to the nearest known parent. */
  position(path: readonly (string | number)[]): Position;
}

export type FrontMatterResult = { ok: true; value: FrontMatter } | { ok: false; diagnostics: Diagnostic[] };

const MAX_NESTING = 20;
const MAX_ALIASES = 100;

function fail(path: string, line: number, column: number, field: string, message: string): FrontMatterResult {
  return { ok: false, diagnostics: [{ path, line, column, field, severity: 'error', message }] };
}

/** Deepest bracket or indentation nesting, measured without parsing, so hostile input is refused cheaply. */
function nestingDepth(yaml: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < yaml.length; i++) {
    const c = yaml[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '\n') quote = '';
  }
  let indentMax = 0;
  for (const line of yaml.split('\n')) {
    const m = /^( *)(- )*/.exec(line);
    if (m && line.trim()) indentMax = Math.max(indentMax, Math.floor(m[0].length / 2));
  }
  return Math.max(max, indentMax);
}

/**
 * Parses `text` (already decoded, BOM removed, line endings normalised to LF).
 * `path` is used only in diagnostics.
 */
export function parseFrontMatter(text: string, path: string): FrontMatterResult {
  const firstNl = text.indexOf('\n');
  const first = (firstNl === -1 ? text : text.slice(0, firstNl)).trimEnd();
  if (first !== '---') {
    if (/^---\s*\S/.test(first)) {
      return fail(path, 1, 4, 'file', `front matter engine "${first.slice(3).trim()}" is not allowed: use plain YAML between --- lines`);
    }
    return fail(path, 1, 1, 'file', 'missing front matter: the file must start with a --- line');
  }
  const rest = firstNl === -1 ? '' : text.slice(firstNl + 1);
  const close = /^(?:---|\.\.\.)[ \t]*$/m.exec(rest);
  if (!close) return fail(path, 1, 1, 'file', 'front matter is not closed: add a --- line after it');
  const yamlText = rest.slice(0, close.index);
  const afterClose = rest.indexOf('\n', close.index);
  const body = afterClose === -1 ? '' : rest.slice(afterClose + 1);
  const bodyLine = 2 + (rest.slice(0, afterClose === -1 ? rest.length : afterClose + 1).match(/\n/g)?.length ?? 0);

  if (nestingDepth(yamlText) > MAX_NESTING) {
    return fail(path, 2, 1, 'yaml', `front matter is nested more than ${MAX_NESTING} levels deep`);
  }

  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(yamlText, { lineCounter, uniqueKeys: true, schema: 'core', merge: false, prettyErrors: false, strict: true });
  } catch (cause) {
    return fail(path, 2, 1, 'yaml', `front matter could not be parsed (${(cause as Error).message})`);
  }
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + 1, column: p.col };
  };
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    const diagnostics: Diagnostic[] = problems.map((e) => {
      const p = at(e.pos[0]);
      const message =
        e.code === 'DUPLICATE_KEY'
          ? 'a key appears twice'
          : e.code === 'TAG_RESOLVE_FAILED'
            ? `tags such as ${/tag:yaml\.org,2002:(\S+)|(![\w/!-]+)/.exec(e.message)?.slice(1).find(Boolean) ?? 'this one'} are not allowed: use plain YAML values`
            : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { path, line: p.line, column: p.column, field: 'yaml', severity: 'error', message };
    });
    return { ok: false, diagnostics };
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return fail(path, 2, 1, 'yaml', 'front matter must be a mapping of field: value lines');
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (cause) {
    return fail(path, 2, 1, 'yaml', `front matter refused: ${(cause as Error).message}`);
  }

  const position = (keys: readonly (string | number)[]): Position => {
    let node: unknown = doc.contents;
    let best: Position = { line: 2, column: 1 };
    for (const key of keys) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
        if (!pair || !isPair(pair)) break;
        const k = pair.key as Node;
        if (k.range) best = at(k.range[0]);
        node = pair.value;
      } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
        const item = (node as { items: unknown[] }).items[key as number] as Node | undefined;
        if (!item) break;
        if (item.range) best = at(item.range[0]);
        node = item;
      } else break;
    }
    return best;
  };

  return { ok: true, value: { data: data as Record<string, unknown>, body, bodyLine, position } };
}

/** Decodes file bytes as UTF-8 (refusing invalid bytes), drops a BOM and normalises CRLF/CR to LF. */
export function decodeContent(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  return text.replace(/\r\n?/g, '\n');
}
