// marked tries every block rule, in order, at the start of each block before it settles on a paragraph:
// eleven regexes, of which the setext-heading and table rules scan the whole paragraph, and then the
// paragraph rule scans it again. Most blocks of news prose are paragraphs whose every line starts with a
// letter or an opening quotation mark or dash, and no other rule can take such a block unless a line that
// starts otherwise follows (a table's delimiter row, a setext underline, a list, a quote...). This block
// extension, tried first, takes exactly those paragraphs, ending at a blank line or the end of the text. It
// also takes the other common blocks, tight lists of one-line items ("- Text", "1. Text"), which marked's
// list rule lexes item by item through the whole block lexer. Every other block is left to marked.
// test/fastParagraph.test.ts holds it to marked's own tokens.

import type { MarkedExtension, Tokens } from 'marked';

const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Characters that open a line of prose and no other kind of block: ASCII letters, the straight and curly
 * opening quotation marks and the dashes that open an attribution ("— Name"). None is a block marker, and
 * none is white space to any of marked's rules.
 */
const opensProse = (c: number): boolean => isAsciiLetter(c) || c === 34 || c === 0x201c || c === 0x2018 || c === 0x2014 || c === 0x2013;

/**
 * The length of the paragraph marked would take from the start of `src` when each of its lines starts with
 * a character of prose (opensProse) and it ends at a blank line or the end of `src`; undefined for anything else.
 */
export function plainParagraphLength(src: string): number | undefined {
  if (!opensProse(src.charCodeAt(0))) return undefined;
  let end = src.indexOf('\n');
  for (;;) {
    if (end === -1) return src.length;
    // "\n" at the very end, or a blank line: the paragraph ends before that newline.
    if (end + 1 === src.length || src.charCodeAt(end + 1) === 10) return end;
    // A line that could be a delimiter row, an underline, a list item, a quote, spaces...: marked decides.
    if (!opensProse(src.charCodeAt(end + 1))) return undefined;
    end = src.indexOf('\n', end + 1);
  }
}

/**
 * The width of the list marker that opens `src` at `start` followed by one space: 2 for "- ", 3 to 11 for
 * "1. " to "123456789. " when `ordered`; 0 for anything else.
 */
function markerWidth(src: string, start: number, ordered: boolean): number {
  let p = start;
  if (!ordered) {
    if (src.charCodeAt(p) !== 45) return 0;
    p++;
  } else {
    while (p - start < 10 && isDigit(src.charCodeAt(p))) p++;
    // One to nine digits, then "." (a ")" list is left to marked).
    if (p === start || p - start > 9 || src.charCodeAt(p) !== 46) return 0;
    p++;
  }
  return src.charCodeAt(p) === 32 ? p + 1 - start : 0;
}

/**
 * The length of a list of one-line items, each "- " (or, when `ordered`, a number and ". ") then a letter,
 * a quotation mark or a link, with no tab and no trailing space, ending at the end of `src` or at blank
 * lines followed by a paragraph, heading or quote; undefined for anything else.
 */
export function plainListLength(src: string, ordered = false): number | undefined {
  for (let start = 0; ; ) {
    const width = markerWidth(src, start, ordered);
    if (width === 0) return undefined;
    const first = src.charCodeAt(start + width);
    let end = src.indexOf('\n', start);
    if (end === -1) end = src.length;
    // Items may also open with a quotation mark or a link ("- [Headline](/articles/x/)"), but not with a
    // task box ("[ ]", "[x]") or a link definition ("[x]: /url").
    if (first === 91) {
      const box = src.charCodeAt(start + width + 2) === 93 && /[ xX]/.test(src.charAt(start + width + 1));
      const definition = src.indexOf(']:', start);
      if (box || (definition !== -1 && definition < end)) return undefined;
    } else if (first !== 34 && !isAsciiLetter(first)) return undefined;
    const last = src.charCodeAt(end - 1);
    if (last === 32 || last === 9) return undefined;
    const tab = src.indexOf('\t', start);
    if (tab !== -1 && tab < end) return undefined;
    if (end === src.length || end + 1 === src.length) return end;
    if (src.charCodeAt(end + 1) === 10) {
      // After blank lines an indented line or another item would continue the list (a loose one): the
      // list ends here only if a line that starts with a letter or '"', a heading or a quote follows (or nothing).
      let next = end + 1;
      while (src.charCodeAt(next) === 10) next++;
      const c = src.charCodeAt(next);
      return next === src.length || isAsciiLetter(c) || c === 34 || c === 35 || c === 62 ? end : undefined;
    }
    start = end + 1;
  }
}

type Lexer = { inline(src: string, tokens?: Tokens.Generic[]): Tokens.Generic[]; inlineQueue: { src: string; tokens: Tokens.Generic[] }[] };

/** The HTML marked would write for a paragraph's or item's inline content, or undefined to let marked lex it. */
export type InlineHtml = (src: string) => string | undefined;

/** Inline content whose HTML is already written (InlineHtml): one token, which its renderer returns as is. */
export interface FastInlineToken {
  type: 'fastInline';
  raw: string;
  html: string;
}

/**
 * A paragraph's place in marked's queue of inline content to lex, when its HTML is already written: there
 * is nothing to lex (src is empty) unless marked joins a later paragraph to it (the lazy continuation lines
 * of a quote). marked then gives the joined text to the last entry of the queue, which must be this one;
 * the written HTML no longer covers the paragraph, so it is dropped and the whole text lexed.
 */
class WrittenParagraph {
  private text = '';
  constructor(readonly tokens: Tokens.Generic[]) {}
  get src(): string {
    return this.text;
  }
  set src(joined: string) {
    this.tokens.length = 0;
    this.text = joined;
  }
}

/**
 * The inline tokens of `src`: one FastInlineToken when `inlineHtml` writes it, else marked's own (lexed
 * later). A paragraph's are queued either way (WrittenParagraph).
 */
function inlineTokens(src: string, lexer: Lexer, inlineHtml: InlineHtml | undefined, paragraph: boolean): Tokens.Generic[] {
  const html = inlineHtml?.(src);
  if (html === undefined) return lexer.inline(src);
  const tokens: Tokens.Generic[] = [{ type: 'fastInline', raw: src, html } satisfies FastInlineToken];
  if (paragraph) lexer.inlineQueue.push(new WrittenParagraph(tokens));
  return tokens;
}

/** The tokens marked's list rule gives for a list plainListLength accepted. */
function plainList(raw: string, ordered: boolean, lexer: Lexer, inlineHtml: InlineHtml | undefined): Tokens.List {
  const lines = raw.split('\n');
  const items: Tokens.ListItem[] = lines.map((line, i) => {
    const text = line.slice(ordered ? line.indexOf('.') + 2 : 2);
    return {
      type: 'list_item',
      raw: i < lines.length - 1 ? `${line}\n` : line,
      task: false,
      loose: false,
      text,
      tokens: [{ type: 'text', raw: text, text, tokens: inlineTokens(text, lexer, inlineHtml, false) }],
    };
  });
  return { type: 'list', raw, ordered, start: ordered ? Number(raw.slice(0, raw.indexOf('.'))) : '', loose: false, items };
}

/**
 * The extension. With `inlineHtml`, the inline content of the blocks it takes is written by that function
 * where it can (fastInlineHtml.ts), and lexed by marked elsewhere.
 */
export function fastParagraph(inlineHtml?: InlineHtml): MarkedExtension {
  return {
    extensions: [
      {
        name: 'fastParagraph',
        level: 'block',
        tokenizer(src: string, tokens: Tokens.Generic[]): Tokens.Paragraph | Tokens.List | undefined {
          // Paragraphs only where marked makes them (not the text of a tight list item), and never right after
          // a paragraph: marked may join the two (a quote's lazy continuation lines).
          if (!this.lexer.state.top || tokens.at(-1)?.type === 'paragraph') return undefined;
          const c = src.charCodeAt(0);
          if (c === 45 || isDigit(c)) {
            const ordered = c !== 45;
            const n = plainListLength(src, ordered);
            return n === undefined ? undefined : plainList(src.slice(0, n), ordered, this.lexer, inlineHtml);
          }
          const n = plainParagraphLength(src);
          if (n === undefined) return undefined;
          const raw = src.slice(0, n);
          return { type: 'paragraph', raw, text: raw, tokens: inlineTokens(raw, this.lexer, inlineHtml, true) };
        },
      },
      { name: 'fastInline', renderer: (token) => (token as unknown as FastInlineToken).html },
    ],
  };
}
