// fastInlineText must give the tokens marked's own GFM inline text rule gives, or leave the text to it.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Lexer, Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { fastInlineText, GFM_TEXT, inlineTextLength } from '../src/fastInlineText.js';
import { bundledMarkdown } from './helpers/site.js';

const rule = Lexer.rules.inline.gfm.text;
const byRule = (s: string): number => rule.exec(s)![0].length;
const OPTIONS = { gfm: true, breaks: false, async: false } as const;
const stock = new Marked(OPTIONS);
const fast = new Marked(OPTIONS).use(fastInlineText);

// Pieces that reach every branch of the rule: its stop characters, the starts of autolinks, email and
// mailto/xmpp addresses, hard breaks, entity references, word boundaries, non-ASCII spaces and letters.
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'Z', '9', ' ', '.', ',', '-', '(', ')', ':', '/', '\n', 'é', '\u00a0', '\u2028', '’', '😀', '\ud800') },
  { weight: 3, arbitrary: fc.constantFrom('\\', '<', '!', '[', ']', '`', '``', '*', '~', '~~', '_', 'a_b', '&', '&amp;', '&#38;', '@', 'x@y.z', 'a.b+c@d') },
  { weight: 3, arbitrary: fc.constantFrom('h', 'H', 'http', 'HTTP', 'https://x', 'htt', 'f', 'ftp://', 'FTP:/', 'ftp:', 'w', 'ww', 'www.', 'www', ' www.', '(www.', '*www.', 'xwww.') },
  { weight: 2, arbitrary: fc.constantFrom('mailto:', 'xmpp:', 'mailto', 'xmpp', ' mailto:a', '  ', '  \n', '   \n', ' \n', '\t', '# ', '> ', '- ', '\n\n') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
);
const text = fc.array(piece, { minLength: 1, maxLength: 30 }).map((p) => p.join(''));

describe('inlineTextLength', () => {
  it('models the rule marked ships (a marked upgrade that changes the rule fails here first)', () => {
    expect(rule.source).toBe(GFM_TEXT);
  });

  it('stops where the rule stops, or does not answer', () => {
    const cases: [string, number | undefined][] = [
      ['plain words to the end', 22],
      ['stop at **bold**', 8],
      ['before a [link](/x)', 9],
      ['a_b', 1],
      ['see http://x', 4],
      ['HTTPS too', 9],
      ['go ftp://x', 3],
      ['ftp:x', 5],
      ['a www.x', 2],
      ['awww.x', 6],
      ['``code` here', 6],
      ['~~~', 3],
      ['write to a@b.c', undefined],
      ['two  \nlines', undefined],
      ['AT&amp;T', undefined],
      ['x mailto:a', undefined],
      [`${'a'.repeat(10)}*${'b'.repeat(100)}`, undefined],
    ];
    for (const [src, want] of cases) {
      expect(inlineTextLength(src), src).toBe(want);
      if (want !== undefined) expect(byRule(src), src).toBe(want);
    }
  });

  it('agrees with the rule on generated text whenever it answers, and answers for most of it', () => {
    let answered = 0;
    fc.assert(
      fc.property(text, (s) => {
        const n = inlineTextLength(s);
        if (n === undefined) return;
        answered++;
        expect(n).toBe(byRule(s));
      }),
      { numRuns: 20_000 },
    );
    expect(answered).toBeGreaterThan(5_000);
  });

  it('answers for ordinary prose', () => {
    const prose = 'The council approved the budget on Tuesday, officials said. It will cost an estimated $4.2 million.';
    expect(inlineTextLength(prose)).toBe(prose.length);
  });

  it('stays linear on a long paragraph of many stops', () => {
    const src = '*a'.repeat(100_000);
    const start = performance.now();
    for (let i = 0; i < src.length; i += 2) inlineTextLength(src.slice(i));
    // A scan past each stop to the end would take minutes; bounded, it takes milliseconds.
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});

describe('fastInlineText', () => {
  it('lexes generated Markdown to the same tokens as marked alone', () => {
    const doc = fc.array(piece, { maxLength: 80 }).map((p) => p.join(''));
    fc.assert(
      fc.property(doc, (s) => {
        expect(fast.lexer(s)).toEqual(stock.lexer(s));
      }),
      { numRuns: 2_000 },
    );
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
