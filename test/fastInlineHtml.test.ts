// fastInlineHtml must write the HTML marked writes for the same inline content, or leave it to marked.

import fc from 'fast-check';
import { Marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { fastInlineHtml, type LinkHtml } from '../src/fastInlineHtml.js';
import { renderMarkdown, renderMarkdownSanitized } from '../src/markdown.js';

// marked on its own, with a link renderer that writes what `link` below writes.
const stock = new Marked({ gfm: true, breaks: false, async: false }).use({
  renderer: {
    link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Link): string {
      return `<a href="${token.href}">${this.parser.parseInline(token.tokens)}</a>`;
    },
  },
});
const link: LinkHtml = (href, inner) => (href.startsWith('javascript:') ? undefined : `<a href="${href}">${inner}</a>`);
// marked writes " and ' in text as &quot; and &#39;; the site's renderer then writes them as they are
// (asSanitizerWrites), and so does fastInlineHtml. No address here holds a quote.
const byMarked = (src: string): string => (stock.parseInline(src) as string).replaceAll('&quot;', '"').replaceAll('&#39;', "'");
const OPTS = { siteOrigin: 'https://news.example', reservedIds: ['main'] };

describe('fastInlineHtml', () => {
  it('writes text, links and simple emphasis as marked does', () => {
    const cases: [string, string][] = [
      ['Plain words.', 'Plain words.'],
      ['Two\nlines', 'Two\nlines'],
      ['“Curly” quotes, "straight" ones and it\'s', '“Curly” quotes, "straight" ones and it\'s'],
      ['Q&A: 3 > 2', 'Q&amp;A: 3 &gt; 2'],
      ['See the [new plan](/articles/plan/) today.', 'See the <a href="/articles/plan/">new plan</a> today.'],
      ['[A & B](/x/) and [C](https://other.example/c?a=1)', '<a href="/x/">A &amp; B</a> and <a href="https://other.example/c?a=1">C</a>'],
      ['A **major** plan', 'A <strong>major</strong> plan'],
      ['A *long-awaited* plan, and **two words**.', 'A <em>long-awaited</em> plan, and <strong>two words</strong>.'],
      ['**Start** and end *here*', '<strong>Start</strong> and end <em>here</em>'],
      ['(see [this](/a/)) $4.1 million — 12% “up”', '(see <a href="/a/">this</a>) $4.1 million — 12% “up”'],
    ];
    for (const [src, want] of cases) {
      expect(fastInlineHtml(src, link), src).toBe(want);
      expect(byMarked(src), src).toBe(want);
    }
  });

  it('leaves to marked what it does not model', () => {
    const cases = [
      'an \\*escape',
      'some `code`',
      '<b>html</b>',
      'an ![image](/i.png)',
      'AT&amp;T',
      '&#38; more',
      'snake_case',
      '~~struck~~',
      'desk@news.example',
      'see http://x.example',
      'HTTPS://X.EXAMPLE',
      'www.example.com',
      'mailto:desk',
      'two  spaces',
      'hard \nbreak',
      'trailing ',
      'in**word**s',
      '**open',
      '*one**',
      '***both***',
      '** spaced**',
      '**a**b',
      '*a* and *b*c',
      '[text]',
      '[text] (/x)',
      '[a [b]](/x)',
      '[ a](/x)',
      '[a](/x "title")',
      '[a](</x>)',
      '[a](/x(1))',
      '[*a*](/x)',
      '[a\nb](/x)',
      '[http](/x)',
      '[a](javascript:x)',
      'a ] alone',
      '',
    ];
    for (const src of cases) expect(fastInlineHtml(src, link), JSON.stringify(src)).toBeUndefined();
  });

  // Pieces of news prose and of everything near it: emphasis in and out of its simple form, links good and
  // bad, characters marked escapes, autolink starts, and what the scan leaves to marked.
  const piece = fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom('the', 'Plan', 'a', '2024', ' ', ' ', '.', ',', ';', ':', '!', '?', '(', ')', '\n', '-', '—', '“', '”', '"', "'", '’', 'é', '😀', '$4.1', '%') },
    { weight: 4, arbitrary: fc.constantFrom('*', '**', '***', ' **major** ', ' *sharp* ', '**two words**', '*long-awaited*', '**x**', '* ', ' *', '**.') },
    { weight: 3, arbitrary: fc.constantFrom('[plan](/articles/a/)', '[A & B](/x/)', '[go](https://other.example/x?a=1&b=2)', '[x](javascript:alert(1))', '[', ']', '](', '[a](/x', '[a] (/b)', '[ a ](/c)', '[a](/d "t")') },
    { weight: 1, arbitrary: fc.constantFrom('&', '&amp;', '&#39;', '>', '<', '\\', '`', '_', '~', '@', '!', '![', 'http', 'HTTP', 'ftp:', 'www.', 'mailto:', 'xmpp:', '  ', ' \n', '\t') },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  const inline = fc.array(piece, { minLength: 1, maxLength: 20 }).map((p) => p.join(''));

  it('agrees with marked on generated content whenever it answers, and answers for much of it', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(inline, (src) => {
        runs++;
        const html = fastInlineHtml(src, link);
        if (html === undefined) return;
        answered++;
        expect(html).toBe(byMarked(src));
      }),
      { numRuns: 20000 },
    );
    expect(answered / runs).toBeGreaterThan(0.15);
  });

  it('lets marked lex a written paragraph again when it joins more lines to it (a quote\'s lazy continuation)', () => {
    const src = '> A **quoted** line\nand a lazy one, [linked](/a/)\n\nAfter.';
    const want = '<blockquote>\n<p>A <strong>quoted</strong> line\nand a lazy one, <a href="/a/">linked</a></p>\n</blockquote>\n<p>After.</p>';
    expect(renderMarkdown(src, OPTS)).toBe(want);
    expect(renderMarkdownSanitized(src, OPTS)).toBe(want);
    expect(renderMarkdown('> a\nb\n'.repeat(3), OPTS)).toBe(renderMarkdownSanitized('> a\nb\n'.repeat(3), OPTS));
  });

  it('gives whole articles the HTML marked and the sanitiser give them', () => {
    const paragraph = fc.array(inline, { minLength: 1, maxLength: 3 }).map((lines) => lines.map((l) => `Text ${l.replace(/\n/g, ' ')}`).join('\n'));
    const item = inline.map((l) => `- Item ${l.replace(/\n/g, ' ')}`);
    // Quotes with lazy continuation lines, which marked joins to the paragraph before them.
    const quote = fc.tuple(paragraph, fc.array(fc.oneof(paragraph, fc.constantFrom('>', '> - item', '> > deeper')), { maxLength: 3 })).map(([p, more]) => [`> ${p}`, ...more].join('\n'));
    const block = fc.oneof(paragraph, item, quote, fc.constantFrom('## A heading', '> A quote', '1. First\n2. Second'));
    // Blocks apart, or on consecutive lines (where marked may join them).
    const article = fc.array(fc.tuple(block, fc.constantFrom('\n\n', '\n')), { minLength: 1, maxLength: 6 }).map((bs) => bs.map(([b, gap]) => b + gap).join(''));
    fc.assert(
      fc.property(article, (src) => {
        expect(renderMarkdown(src, OPTS)).toBe(renderMarkdownSanitized(src, OPTS));
      }),
      { numRuns: 3000 },
    );
  });
});
