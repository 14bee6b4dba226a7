// Splits a Markdown file into YAML front matter and body, and parses the YAML safely.
// Safety: plain YAML 1.2 core schema only (no custom tags, no code engines such as ---js),
// duplicate keys are errors, alias expansion is bounded, and deep nesting is refused before parsing.

import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { ownCopy } from '../ownCopy.js';
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
  /** Index in the text (UTF-16 code units) where the body starts. */
  readonly bodyOffset: number;
  /**
   * Where a key path (e.g. ["image", "src"]) is in the file: its key, or with target "value" its value
   * (so `date: "2024-13-45"` on line 3 is reported at 3:7); falls back to the nearest known parent key.
   */
  position(path: readonly (string | number)[], target?: 'key' | 'value'): Position;
}

export type FrontMatterResult = { ok: true; value: FrontMatter } | { ok: false; diagnostics: Diagnostic[] };

const MAX_NESTING = 20;
const MAX_ALIASES = 100;

// The yaml package takes about 45 ms to load and is needed only for front matter outside the usual
// one-field-per-line shape (see simpleYaml), or to locate a problem: loaded on first use.
let loadedYaml: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (loadedYaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

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
export function parseFrontMatter(text: string, path: string, fast = true): FrontMatterResult {
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
  // Its own copy: every value parsed from it is a slice of it, and a slice of the whole file would keep the
  // whole file (body included) alive for as long as the article's title is.
  const yamlText = ownCopy(rest.slice(0, close.index));
  const afterClose = rest.indexOf('\n', close.index);
  const body = afterClose === -1 ? '' : rest.slice(afterClose + 1);
  const bodyOffset = afterClose === -1 ? text.length : firstNl + 1 + afterClose + 1;
  // The body starts on the line after the closing fence, even when the file ends right after it.
  const bodyLine = 2 + (rest.slice(0, afterClose === -1 ? rest.length : afterClose + 1).match(/\n/g)?.length ?? 0) + (afterClose === -1 ? 1 : 0);

  // The subset simpleYaml reads nests three levels at most: the depth is measured only for the rest.
  const simple = fast ? simpleYaml(yamlText) : undefined;
  if (!simple && nestingDepth(yamlText) > MAX_NESTING) {
    return fail(path, 2, 1, 'yaml', `front matter is nested more than ${MAX_NESTING} levels deep`);
  }
  if (simple) {
    // Positions are only asked for when reporting a problem: parse fully then, to get yaml's exact ones.
    let full: FrontMatterResult | undefined;
    const position = (keys: readonly (string | number)[], target?: 'key' | 'value'): Position => {
      full ??= parseFrontMatter(text, path, false);
      return full.ok ? full.value.position(keys, target) : { line: 2, column: 1 };
    };
    return { ok: true, value: { data: simple, body, bodyLine, bodyOffset, position } };
  }

  const { isMap, isPair, isScalar, LineCounter, parseDocument } = yaml();
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
            : shorten(e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
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

  const position = (keys: readonly (string | number)[], target: 'key' | 'value' = 'key'): Position => {
    let node: unknown = doc.contents;
    let best: Position = { line: 2, column: 1 };
    let found = 0;
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
      found++;
    }
    // An empty value (`date:`) has a zero-length range at the end of the line; the key is the better place then.
    const value = node as Node | null;
    if (target === 'value' && found === keys.length && value?.range && value.range[1] > value.range[0]) return at(value.range[0]);
    return best;
  };

  return { ok: true, value: { data: data as Record<string, unknown>, body, bodyLine, bodyOffset, position } };
}

/** yaml quotes the offending token, which can run to the end of the file: the line and column say where. */
const MAX_MESSAGE = 200;
function shorten(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/** Decodes file bytes as UTF-8 (refusing invalid bytes), drops a BOM and normalises CRLF/CR to LF. */
export function decodeContent(bytes: Uint8Array): string | undefined {
  // isUtf8 + toString is several times faster than a fatal TextDecoder, and refuses the same bytes.
  if (!isUtf8(bytes)) return undefined;
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

// The fast path. Parsing YAML with the yaml package was the largest single cost of loading 10,000 articles
// (about 0.3 ms a file). Front matter mostly uses a small subset: `key: value` lines whose values are
// plain, single- or double-quoted scalars or one-line flow lists and mappings of them, and one level of
// block list or mapping under a key. That subset is read here, giving exactly what the yaml package's core
// schema gives (a test compares both). Anything else (escapes other than \" \\ \/, comments after values,
// multi-line scalars, anchors, tags, numbers other than small integers, deeper nesting) returns undefined
// and goes through yaml, which also reports every error.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const ODD_CHARS = /[\t\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const KEY_LINE = /^( *)([A-Za-z][A-Za-z0-9_-]{0,63}):(?: +(.*))?$/;
const ITEM_LINE = /^( *)-(?: +(.*))?$/;
const COMMENT_OR_BLANK = /^ *(?:#.*)?$/;
const RESERVED_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const DOUBLE_QUOTED = /"((?:[^"\\]|\\["\\/])*)"/y;
const SINGLE_QUOTED = /'((?:[^']|'')*)'/y;
// Plain scalars that start with an indicator, or hold ": " or " #", mean something else in YAML.
const PLAIN_SPECIAL = /^[-?:,[\]{}#&*!|>'"%@`~.+]|: | #|:$/;
const FLOW_PLAIN = /[^,[\]{}]*/y;
const FLOW_KEY = /([A-Za-z][A-Za-z0-9_-]{0,63}): +/y;
const SMALL_INT = /^(?:0|[1-9][0-9]{0,14})$/;
// The core schema's other numbers (yaml/dist/schema/core): octal, hex, big or zero-padded integers, floats.
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+|[0-9]+\.[0-9]*)$/;

function plainScalar(v: string): unknown {
  if (v === '' || PLAIN_SPECIAL.test(v) || (OTHER_NUMBER.test(v) && !SMALL_INT.test(v))) return undefined;
  if (SMALL_INT.test(v)) return Number(v);
  if (v === 'null' || v === 'Null' || v === 'NULL') return null;
  if (v === 'true' || v === 'True' || v === 'TRUE') return true;
  if (v === 'false' || v === 'False' || v === 'FALSE') return false;
  return v;
}

/** One-line value reader: a cursor over `s`; every method returns undefined for anything outside the subset. */
class Inline {
  i = 0;
  constructor(private readonly s: string) {}

  private spaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private quoted(): string | undefined {
    const re = this.s[this.i] === '"' ? DOUBLE_QUOTED : SINGLE_QUOTED;
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.i = re.lastIndex;
    return re === DOUBLE_QUOTED ? m[1]!.replace(/\\(.)/g, '$1') : m[1]!.replace(/''/g, "'");
  }

  /** A value inside [...] or {...}. */
  private flowValue(depth: number): unknown {
    this.spaces();
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.quoted();
    if (c === '[' || c === '{') return depth < 2 ? this.collection(depth + 1) : undefined;
    FLOW_PLAIN.lastIndex = this.i;
    const raw = FLOW_PLAIN.exec(this.s)![0];
    this.i = FLOW_PLAIN.lastIndex;
    return plainScalar(raw.trimEnd());
  }

  private collection(depth: number): unknown {
    const list = this.s[this.i] === '[';
    const close = list ? ']' : '}';
    this.i++;
    const items: unknown[] = [];
    const map: Record<string, unknown> = {};
    this.spaces();
    if (this.s[this.i] === close) {
      this.i++;
      return list ? items : map;
    }
    for (;;) {
      this.spaces();
      if (list) {
        const v = this.flowValue(depth);
        if (v === undefined) return undefined;
        items.push(v);
      } else {
        FLOW_KEY.lastIndex = this.i;
        const k = FLOW_KEY.exec(this.s)?.[1];
        if (k === undefined || k === '__proto__' || RESERVED_KEY.test(k) || Object.hasOwn(map, k)) return undefined;
        this.i = FLOW_KEY.lastIndex;
        const v = this.flowValue(depth);
        if (v === undefined) return undefined;
        map[k] = v;
      }
      this.spaces();
      const sep = this.s[this.i++];
      if (sep === close) return list ? items : map;
      // A trailing comma ("[a, ]") is valid YAML but rare: leave it to yaml.
      if (sep !== ',' || this.s[this.i] === close || /^ *[\]}]/.test(this.s.slice(this.i))) return undefined;
    }
  }

  /** A whole block-context value: scalar, or a flow collection, with nothing after it. */
  value(): unknown {
    const c = this.s[0];
    let v: unknown;
    if (c === '"' || c === "'") v = this.quoted();
    else if (c === '[' || c === '{') v = this.collection(1);
    else return plainScalar(this.s);
    return this.i === this.s.length ? v : undefined;
  }
}

function inlineValue(raw: string): unknown {
  return new Inline(raw.trimEnd()).value();
}

/** Front matter in the simple subset as data, or undefined when the yaml package must parse it. */
export function simpleYaml(yaml: string): Record<string, unknown> | undefined {
  if (ODD_CHARS.test(yaml)) return undefined;
  const lines = yaml.split('\n');
  const data: Record<string, unknown> = {};
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (COMMENT_OR_BLANK.test(line)) continue;
    const m = KEY_LINE.exec(line);
    if (!m || m[1] !== '') return undefined;
    const key = m[2]!;
    if (key === '__proto__' || RESERVED_KEY.test(key) || Object.hasOwn(data, key)) return undefined;
    // The lines that belong to this key: indented ones, and "- " items (a block list may sit at column 0).
    let end = n + 1;
    while (end < lines.length && (COMMENT_OR_BLANK.test(lines[end]!) || lines[end]!.startsWith(' ') || lines[end]!.startsWith('-'))) end++;
    const block = lines.slice(n + 1, end).filter((l) => !COMMENT_OR_BLANK.test(l));
    const raw = m[3]?.trimEnd() ?? '';
    let value: unknown;
    if (raw !== '') {
      if (block.length > 0 || raw.startsWith('#')) return undefined; // a multi-line scalar, or a comment
      value = inlineValue(raw);
    } else if (block.length === 0) value = null;
    else value = blockValue(block);
    if (value === undefined) return undefined;
    data[key] = value;
    n = end - 1;
  }
  return data;
}

/** One level of block list ("- item" lines) or block mapping ("key: value" lines), all at one indentation. */
function blockValue(block: readonly string[]): unknown {
  const first = ITEM_LINE.exec(block[0]!) ?? KEY_LINE.exec(block[0]!);
  if (!first) return undefined;
  const indent = first[1]!;
  if (block[0]!.trimStart().startsWith('-')) {
    const items: unknown[] = [];
    for (const l of block) {
      const m = ITEM_LINE.exec(l);
      if (!m || m[1] !== indent || !m[2]) return undefined;
      const v = inlineValue(m[2]);
      if (v === undefined) return undefined;
      items.push(v);
    }
    return items;
  }
  if (indent === '') return undefined;
  const map: Record<string, unknown> = {};
  for (const l of block) {
    const m = KEY_LINE.exec(l);
    if (!m || m[1] !== indent || !m[3] || m[2] === '__proto__' || RESERVED_KEY.test(m[2]!) || Object.hasOwn(map, m[2]!)) return undefined;
    const v = inlineValue(m[3]);
    if (v === undefined) return undefined;
    map[m[2]!] = v;
  }
  return map;
}
