// fastParagraph must give the tokens marked gives on its own, or leave the block to marked.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { fastParagraph, plainListLength, plainParagraphLength } from '../src/fastParagraph.js';
import { bundledMarkdown } from './helpers/site.js';

const OPTIONS = { gfm: true, breaks: false, async: false } as const;
const stock = new Marked(OPTIONS);
const fast = new Marked(OPTIONS).use(fastParagraph());

describe('plainParagraphLength', () => {
  it('takes lines that start with a letter, a quotation mark or a dash, up to a blank line or the end', () => {
    const cases: [string, number | undefined][] = [
      ['One line', 8],
      ['One line\n', 8],
      ['Two\nlines\n\nNext', 9],
      ['Ends at a blank line\n\n\n', 20],
      ['word, then *emphasis* and [a link](/x)', 38],
      // Another kind of line follows: marked decides (a table, an underline, a list, a quote, spaces).
      ['Head | er\n--- | ---\n| a | b |', undefined],
      ['Title\n=====', undefined],
      ['Title\n---', undefined],
      ['Para\n- item', undefined],
      ['Para\n> quote', undefined],
      ['Para\n   \nmore', undefined],
      ['Para\n  indented continuation', undefined],
      ['Para\n1. one', undefined],
      ['Para\n“quoted” line', 18],
      ['"We will," she said.\n"Soon."\n\nNext', 28],
      ['— Victor Nguyen, a former minister', 34],
      ['‘Single’ quotes\n– and an en dash', 32],
      ['Para\n2. two', undefined],
      ['Para\n«guillemets»', undefined],
      // Not a letter first: not taken.
      ['# Heading', undefined],
      ['- item', undefined],
      ['1. item', undefined],
      ['<div>x</div>', undefined],
      ['[ref]: /x', undefined],
      ['    code', undefined],
      ['| a | b |', undefined],
      ['Élan', undefined],
      ['«Guillemets»', undefined],
      ['\u00a0non-breaking space', undefined],
      ["'Apostrophe", undefined],
      ['', undefined],
    ];
    for (const [src, n] of cases) expect(plainParagraphLength(src), JSON.stringify(src)).toBe(n);
  });
});

describe('plainListLength, ordered', () => {
  it('takes tight lists of one-line "1. Text" items, up to the end or a block that cannot continue them', () => {
    const cases: [string, number | undefined][] = [
      ['1. One', 6],
      ['1. One\n2. Two\n', 13],
      ['3. Three\n4. Four *em*\n\nNext', 21],
      ['9. Nine\n10. Ten\n11. "Eleven"', 28],
      ['1. One\n1. One again', 19],
      ['01. Zero', 8],
      ['123456789. Nine digits', 22],
      ['1. [Headline](/articles/x/)', 27],
      ['1. One\n\n## Heading', 6],
      // Anything else: marked decides.
      ['1234567890. Ten digits', undefined],
      ['1) Paren', undefined],
      ['1. One\n2) Two', undefined],
      ['1. One\n- Two', undefined],
      ['1. One\n\n2. Loose', undefined],
      ['1. One\n   continued', undefined],
      ['1. One\nlazy', undefined],
      ['1.  Two spaces', undefined],
      ['1.\tTab', undefined],
      ['1. 2. Nested', undefined],
      ['1. [ ] task', undefined],
      ['1. [ref]: /url', undefined],
      ['1. One  ', undefined],
      ['1.', undefined],
      ['1. ', undefined],
      ['- One', undefined],
      ['One. Two', undefined],
    ];
    for (const [src, n] of cases) expect(plainListLength(src, true), JSON.stringify(src)).toBe(n);
  });
});

describe('plainListLength', () => {
  it('takes tight lists of one-line "- Text" items, up to the end or a block that cannot continue them', () => {
    const cases: [string, number | undefined][] = [
      ['- One', 5],
      ['- One\n- Two\n', 11],
      ['- One\n- Two *em*\n\nNext', 16],
      // Anything else: marked decides (a continuation line, a nested list, a task, a tab, a hard break...).
      ['- One\nlazy line', undefined],
      ['- One\n  - nested', undefined],
      ['- One\n\n- Loose', undefined],
      ['- One\n\n  continued', undefined],
      ['- One\n\n## Heading', 5],
      ['- One\n\n\n> Quote', 5],
      ['- One\n\n"Quoted," she said.', 5],
      ['- One\n\n* Other list', undefined],
      ['- [Headline](/articles/x/)\n- "Quoted" words', 43],
      ['- [ ] task', undefined],
      ['- [x] done', undefined],
      ['- [X] done', undefined],
      ['- [ref]: /url', undefined],
      ['- [Headline](/x) [ref]: /url', undefined],
      ['- 9 lives', undefined],
      ['-\tTab', undefined],
      ['- One\t', undefined],
      ['- One  \n- Two', undefined],
      ['* Star', undefined],
      ['1. One', undefined],
      ['- One\n1. One', undefined],
      ['- - -', undefined],
      ['-', undefined],
    ];
    for (const [src, n] of cases) expect(plainListLength(src), JSON.stringify(src)).toBe(n);
  });
});

// Lines of every kind marked tells apart at the start of a block or inside a paragraph.
const line = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('Plain words', 'word *em* and **strong**', 'See [a link](/articles/x/)', 'x', 'Cost: $3', 'a | b', 'Text  ', 'And `code`') },
 {
    weight: 4,
    arbitrary: fc.constantFrom('1. Item', '2. Item with [a link](/x)', '10. Ten', '3. "Quote"', '1.  Two', '1) Paren', '01. Zero', '1234567890. Big', '2. [ ] box', '3. [r]: /u', '4. x  ', '5.\tTab', '6. 7. Nested', '1.', '7. - dash', '8. > quote'),
  },
  { weight: 3, arbitrary: fc.constantFrom('"Quoted," she said.', '“Curly” words', '‘Single’', '— Name, a title', '– Dash', '«Guillemets»', '\u00a0nbsp', '\u2003em space', '"') },
  { weight: 4, arbitrary: fc.constantFrom('- Item', '- Item with [a link](/x) and *em*', '- A  ', '- B\t', '-  Two spaces', '- x | y', '- Item ---', '-', '- ', '- 9', '- [Link](/a/)', '- "Quote"', '- [ ] box', '- [x] box', '- [ref]: /u', '- [a]', '- [', '- "', '- [ ]') },
  { weight: 2, arbitrary: fc.constantFrom('', '', '   ', '\t') },
  {
    weight: 4,
    arbitrary: fc.constantFrom('# Heading', '## Sub', '---', '***', '===', '- item', '* item', '+ item', '1. one', '2) two', '> quote', '>', '    code', '```', '~~~', '<div>', '</div>', '<!-- c -->', '[ref]: /x "T"', '| a | b |', '--- | ---', '|---|---|', ':--|--:', '- [ ] task', 'Élan', '“Quoted”', '(aside)', '9 lives', '  two-space start', '   - nested'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const doc = fc.array(line, { maxLength: 24 }).map((lines) => lines.join('\n'));

describe('fastParagraph', () => {
  it('lexes generated Markdown to the same tokens as marked alone', () => {
    fc.assert(
      fc.property(doc, (s) => {
        expect(fast.lexer(s)).toEqual(stock.lexer(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes paragraphs and lists in quotes and loose list items, and leaves tight items\' text to marked', () => {
    for (const s of ['> Quoted para\n> goes on\n\nAfter', '- Loose item\n\n- Another\n\nText', '- tight\n- list', 'Para\n\n> Quote\n\nPara two\nline', '> - In a quote\n> - Two\nlazy', 'Para\n- interrupts\n- it', '- A\n- B\n']) {
      expect(fast.lexer(s), s).toEqual(stock.lexer(s));
    }
  });

  it('lexes every bundled file to the same tokens as marked alone', () => {
    const files = bundledMarkdown();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(fast.lexer(src), f).toEqual(stock.lexer(src));
    }
  });
});
