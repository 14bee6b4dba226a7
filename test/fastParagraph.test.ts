// fastParagraph must give the tokens marked gives on its own, or leave the block to marked.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { fastParagraph, plainListLength, plainParagraphLength } from '../src/fastParagraph.js';
import { bundledMarkdown } from './helpers/site.js';

const OPTIONS = { gfm: true, breaks: false, async: false } as const;
const stock = new Marked(OPTIONS);
const fast = new Marked(OPTIONS).use(fastParagraph);

describe('plainParagraphLength', () => {
  it('takes lines that start with a letter, up to a blank line or the end', () => {
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
      ['Para\n“quoted” line', undefined],
      // Not a letter first: not taken.
      ['# Heading', undefined],
      ['- item', undefined],
      ['1. item', undefined],
      ['<div>x</div>', undefined],
      ['[ref]: /x', undefined],
      ['    code', undefined],
      ['| a | b |', undefined],
      ['Élan', undefined],
      ['', undefined],
    ];
    for (const [src, n] of cases) expect(plainParagraphLength(src), JSON.stringify(src)).toBe(n);
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
      ['- - -', undefined],
      ['-', undefined],
    ];
    for (const [src, n] of cases) expect(plainListLength(src), JSON.stringify(src)).toBe(n);
  });
});

// Lines of every kind marked tells apart at the start of a block or inside a paragraph.
const line = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('Plain words', 'word *em* and **strong**', 'See [a link](/articles/x/)', 'x', 'Cost: $3', 'a | b', 'Text  ', 'And `code`') },
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
