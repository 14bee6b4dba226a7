// marked tries every block rule, in order, at the start of each block before it settles on a paragraph:
// eleven regexes, of which the setext-heading and table rules scan the whole paragraph, and then the
// paragraph rule scans it again. Most blocks of news prose are paragraphs whose every line starts with a
// letter, and no other rule can take such a block unless a line that does not start with a letter follows
// (a table's delimiter row, a setext underline, a list, a quote...). This block extension, tried first,
// takes exactly those paragraphs, ending at a blank line or the end of the text, and leaves every other
// block to marked. test/fastParagraph.test.ts holds it to marked's own tokens.

import type { MarkedExtension, Tokens } from 'marked';

const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * The length of the paragraph marked would take from the start of `src` when each of its lines starts with
 * an ASCII letter and it ends at a blank line or the end of `src`; undefined for anything else.
 */
export function plainParagraphLength(src: string): number | undefined {
  if (!isAsciiLetter(src.charCodeAt(0))) return undefined;
  let end = src.indexOf('\n');
  for (;;) {
    if (end === -1) return src.length;
    // "\n" at the very end, or a blank line: the paragraph ends before that newline.
    if (end + 1 === src.length || src.charCodeAt(end + 1) === 10) return end;
    // A line that could be a delimiter row, an underline, a list item, a quote, spaces...: marked decides.
    if (!isAsciiLetter(src.charCodeAt(end + 1))) return undefined;
    end = src.indexOf('\n', end + 1);
  }
}

export const fastParagraph: MarkedExtension = {
  extensions: [
    {
      name: 'fastParagraph',
      level: 'block',
      tokenizer(src: string, tokens: Tokens.Generic[]): Tokens.Paragraph | undefined {
        // Paragraphs only where marked makes them (not the text of a tight list item), and never right after
        // a paragraph: marked may join the two (a quote's lazy continuation lines).
        if (!this.lexer.state.top || tokens.at(-1)?.type === 'paragraph') return undefined;
        const n = plainParagraphLength(src);
        if (n === undefined) return undefined;
        const raw = src.slice(0, n);
        return { type: 'paragraph', raw, text: raw, tokens: this.lexer.inline(raw) };
      },
    },
  ],
};
