import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWords, internalArticleLinks, MarkdownError, plainExcerpt, renderMarkdown, type MarkdownOptions } from '../src/markdown.js';

const opts: MarkdownOptions = {
  siteOrigin: 'https://news.example',
  imageSize: (src) => (src === '/images/photo.png' ? { width: 640, height: 480 } : undefined),
  reservedIds: ['main'],
};
const render = (md: string): string => renderMarkdown(md, opts);

describe('renderMarkdown: removed by the sanitiser', () => {
  it.each([
    ['<script> element and its content', '<script>alert(1)</script>\n\nSafe.', '<p>Safe.</p>'],
    ['inline <script>', 'Safe <script>alert(1)</script>text.', '<p>Safe text.</p>'],
    ['on*= attributes', '<p onclick="alert(1)" onmouseover="alert(2)">Text</p>', '<p>Text</p>'],
    ['onerror on an image', '<img src="/images/photo.png" onerror="alert(1)" alt="A">', '<img src="/images/photo.png" alt="A" loading="lazy" decoding="async" width="640" height="480" />'],
    ['<iframe>', '<iframe src="https://evil.example/"></iframe>\n\nSafe.', '<p>Safe.</p>'],
    ['<object> (an empty paragraph is what remains)', '<object data="x.swf"><param name="a" value="b"></object>\n\nSafe.', '<p></p>\n<p>Safe.</p>'],
    ['<embed>', '<embed src="x.swf">\n\nSafe.', '<p>Safe.</p>'],
    ['<form> and its controls', '<form action="https://evil.example/"><input name="q"><button>Go</button></form>\n\nSafe.', 'Go<p>Safe.</p>'],
    ['<base>', '<base href="https://evil.example/">\n\nSafe.', '<p>Safe.</p>'],
    ['<meta http-equiv>', '<meta http-equiv="refresh" content="0;url=https://evil.example/">\n\nSafe.', '<p>Safe.</p>'],
    ['<style> element and its content', '<style>body { display: none }</style>\n\nSafe.', '<p>Safe.</p>'],
    ['style= attributes', '<p style="color: red">Text</p>', '<p>Text</p>'],
    ['<svg> with a script inside', '<svg><script>alert(1)</script></svg>\n\nSafe.', '<p></p>\n<p>Safe.</p>'],
    ['<math> payloads', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>\n\nSafe.', '<p></p>\n<p>Safe.</p>'],
  ])('%s', (_name, md, html) => {
    expect(render(md)).toBe(html);
  });

  it.each([
    ['a Markdown javascript: link', '[x](javascript:alert(1))'],
    ['an HTML javascript: link', '<a href="javascript:alert(1)">x</a>'],
    ['mixed case', '[x](JaVaScRiPt:alert(1))'],
    ['an entity-encoded colon', '[x](JaVaScRiPt&#58;alert(1))'],
    ['decimal entities for every character', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
    ['hex entities', '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>'],
    ['an encoded tab inside the scheme', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ['a newline inside the scheme', '<a href="java\nscript:alert(1)">x</a>'],
    ['leading spaces', '<a href="  javascript:alert(1)">x</a>'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['an HTML data: link', '<a href="DATA:text/html,<script>alert(1)</script>">x</a>'],
    ['a vbscript: link', '[x](vbscript:msgbox(1))'],
    ['an encoded vbscript: link', '<a href="VbScRiPt&colon;msgbox(1)">x</a>'],
    ['a protocol-relative link (another site posing as ours)', '<a href="//evil.example/">x</a>'],
  ])('drops the address of %s and keeps the text', (_name, md) => {
    expect(render(md)).toBe('<p><a>x</a></p>');
  });

  it.each([
    ['a data: image', '![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)'],
    ['a javascript: image', '<img src="javascript:alert(1)" alt="x">'],
    ['an image without an address', '<img alt="x">'],
  ])('drops %s whole', (_name, md) => {
    expect(render(md)).not.toContain('<img');
  });

  it('leaves nothing executable in a page of mixed payloads', () => {
    const html = render(
      [
        '<script src="https://evil.example/x.js"></script>',
        '<a href="javascript:alert(1)" onclick="alert(2)">a</a>',
        '<img src=x onerror=alert(3)>',
        '<iframe srcdoc="<script>alert(4)</script>"></iframe>',
        '<object data="javascript:alert(5)"></object>',
        '<div style="background:url(javascript:alert(6))">d</div>',
        '[b](data:text/html,alert(7))',
      ].join('\n\n'),
    );
    expect(html).not.toMatch(/<script|<iframe|<object|<embed|<form|<base|<meta|<style|\son\w+=|style=|javascript:|data:|vbscript:/i);
  });
});

describe('renderMarkdown: kept', () => {
  it('keeps inline formatting', () => {
    expect(render('**bold** *em* `code` ~~gone~~ <mark>marked</mark> H<sub>2</sub>O x<sup>2</sup>')).toBe(
      '<p><strong>bold</strong> <em>em</em> <code>code</code> <del>gone</del> <mark>marked</mark> H<sub>2</sub>O x<sup>2</sup></p>',
    );
  });

  it('keeps links, marking only those to other sites', () => {
    expect(render('[other](https://other.example/a) [plain](http://other.example/) [ours](https://news.example/articles/x/) [local](/articles/y/) [mail](mailto:desk@news.example)')).toBe(
      '<p><a href="https://other.example/a" rel="noopener noreferrer">other</a> <a href="http://other.example/" rel="noopener noreferrer">plain</a> <a href="https://news.example/articles/x/">ours</a> <a href="/articles/y/">local</a> <a href="mailto:desk@news.example">mail</a></p>',
    );
  });

  it('replaces a rel the editor wrote', () => {
    expect(render('<a href="https://other.example/" rel="opener">x</a> <a href="/about/" rel="nofollow">y</a>')).toBe(
      '<p><a href="https://other.example/" rel="noopener noreferrer">x</a> <a href="/about/">y</a></p>',
    );
  });

  it('keeps images, with width and height for files of the site', () => {
    expect(render('![A photo](/images/photo.png "Title")')).toBe(
      '<p><img src="/images/photo.png" alt="A photo" title="Title" loading="lazy" decoding="async" width="640" height="480" /></p>',
    );
    expect(render('![](https://cdn.example/x.jpg)')).toBe('<p><img src="https://cdn.example/x.jpg" alt="" loading="lazy" decoding="async" /></p>');
  });

  it('keeps tables, with alignment as a class', () => {
    expect(render('| Name | Count |\n|:-----|------:|\n| a | 1 |')).toBe(
      '<table>\n<thead>\n<tr>\n<th class="align-left">Name</th>\n<th class="align-right">Count</th>\n</tr>\n</thead>\n<tbody><tr>\n<td class="align-left">a</td>\n<td class="align-right">1</td>\n</tr>\n</tbody></table>',
    );
  });

  it('keeps blockquotes, lists and code blocks', () => {
    expect(render('> Quoted\n> text')).toBe('<blockquote>\n<p>Quoted\ntext</p>\n</blockquote>');
    expect(render('- a\n- b\n\n3. c\n4. d')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
    expect(render('```js\nif (a < b && c) x();\n```')).toBe('<pre><code class="language-js">if (a &lt; b &amp;&amp; c) x();\n</code></pre>');
  });
});

describe('renderMarkdown: heading ids', () => {
  it('are lowercase and hyphenated', () => {
    expect(render('## What Happened in Niamey?')).toBe('<h2 id="what-happened-in-niamey">What Happened in Niamey?</h2>');
    expect(render("### Côte d'Ivoire & *Ghana*")).toBe("<h3 id=\"cote-d-ivoire-ghana\">Côte d'Ivoire &amp; <em>Ghana</em></h3>");
  });

  it('get -1, -2 for repeats, and avoid ids the layout uses', () => {
    expect(render('## Background\n\n## Background\n\n### Background\n\n## Main')).toBe(
      '<h2 id="background">Background</h2>\n<h2 id="background-1">Background</h2>\n<h3 id="background-2">Background</h3>\n<h2 id="main-1">Main</h2>',
    );
  });

  it('start again for every document', () => {
    expect(render('## Background')).toBe('<h2 id="background">Background</h2>');
    expect(render('## Background')).toBe('<h2 id="background">Background</h2>');
  });

  it('are "section" when a heading has no letters or digits', () => {
    expect(render('## !!!')).toBe('<h2 id="section">!!!</h2>');
  });
});

describe('renderMarkdown: limits', () => {
  it('throws MarkdownError for Markdown nested too deeply to render', () => {
    expect(() => render(`${'>'.repeat(5000)} x`)).toThrow(MarkdownError);
    expect(() => render(`${'>'.repeat(5000)} x`)).toThrow('the Markdown is nested too deeply to render');
  });
});

describe('plainExcerpt', () => {
  it('takes the prose, without headings, lists or markup', () => {
    expect(plainExcerpt('# Heading\n\nFirst *para* with [a link](https://x.example) &amp; more.\n\n- list item\n\nSecond para.')).toBe(
      'First para with a link & more. Second para.',
    );
  });

  it('cuts at a word near 160 characters, with an ellipsis', () => {
    const out = plainExcerpt('word '.repeat(100));
    expect(out).toBe(`${Array(31).fill('word').join(' ')}…`);
    expect(out.length).toBeLessThanOrEqual(160);
  });
});

describe('countWords and internalArticleLinks', () => {
  it('counts words a reader reads', () => {
    expect(countWords('Hello, world! It’s 1,000 U.S. troops.\n\n```\nnot counted\n```\n[link text](https://x.example/long/path) <b>bold</b>')).toBe(9);
  });

  it('counts words in any script, each letter or digit tested as Unicode classes it', () => {
    // Latin-1 letters and digits (ª, º, µ, ², ½ count; ×, «, ¿ do not), Greek, CJK, an astral letter, lone surrogates.
    expect(countWords('Malmö — “Gdańsk” ª º µ ² ½ × « ¿ Αθήνα 東京 𝒜 \ud800 \udc00 x')).toBe(11);
    expect(countWords('a—b “c” ‘d’ e–f')).toBe(6);
    // The same character again gives the same answer (each is tested once, then remembered).
    expect(countWords('é é é ¿ ¿')).toBe(3);
  });

  it('counts as it did when link targets were cut out of the text before counting', () => {
    // The implementation before link targets were skipped in the scan, word for word the same otherwise.
    const before = (markdown: string): number => {
      let text = markdown;
      if (text.includes('```')) text = text.replace(/```[\s\S]*?```/g, ' ');
      if (text.includes('![')) text = text.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1');
      if (text.includes('](')) text = text.replace(/\]\([^)]*\)/g, ']');
      if (text.includes('<')) text = text.replace(/<[^>]+>/g, ' ');
      return [...text.matchAll(/[\p{L}\p{N}](?:[\p{L}\p{N}'’.,$%-])*/gu)].length;
    };
    expect(countWords('See [the plan](/articles/a/) and [more](https://x.example/a(b)c) ](x y) end')).toBe(before('See [the plan](/articles/a/) and [more](https://x.example/a(b)c) ](x y) end'));
    const piece = fc.constantFrom('word', 'W9', ' ', '\n', '.', ',', "'", '’', '-', '$', '%', 'é', '東', '—', '[', ']', '(', ')', '](', '](x)', '](a b)', '![', '![alt](/i.png)', '<', '>', '<b>', '</b>', '<a href="(x)">', '```', '`', '!', '1,000', 'U.S.');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(countWords(text)).toBe(before(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('finds links to articles of the site', () => {
    expect(internalArticleLinks('[a](/articles/one/) [b](https://news.example/articles/two) <a href="/articles/three/">x</a> [again](/articles/one/#part) [page](/about/)')).toEqual([
      'one',
      'two',
      'three',
    ]);
  });
});
