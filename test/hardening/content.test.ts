// Hostile content: rejected or neutralised, and the rest of the site unaffected. Markdown XSS (including
// known mutation-XSS payloads), hostile front matter, oversized files, pathological Markdown that would
// stall a renderer, and symlinks out of CONTENT_DIR.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEntry, type ParseResult } from '../../src/content/parseEntry.js';
import { checkMarkdownBudget, MAX_DELIMITER_RUN, MAX_MARKDOWN_NESTING } from '../../src/content/markdownBudget.js';
import { renderMarkdown } from '../../src/markdown.js';
import { closeSites, makeSite, md, removeDir, tempDir } from '../helpers/site.js';
import { findExecutable } from './html.js';
import { listen, rawGet } from './raw.js';

afterEach(closeSites);

const OPTS = { siteOrigin: 'https://news.example' };
const CTX = { timezone: 'UTC', maxBytes: 1_048_576, imageInfo: () => undefined };
const FM = 'title: Hostile\ndate: 2024-03-22\nauthor: Ann Lee';

function parse(text: string | Uint8Array, rel = 'hostile.md'): ParseResult {
  return parseEntry(rel, typeof text === 'string' ? Buffer.from(text, 'utf8') : text, CTX);
}
const errors = (r: ParseResult): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column}: ${d.field}: ${d.message}`);

// Known XSS and mutation-XSS payloads (DOMPurify and sanitize-html bypass reports, the OWASP filter evasion sheet).
const XSS: [string, string][] = [
  ['script tag', '<script>alert(1)</script>'],
  ['script split across tags', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['IMG ONERROR uppercase', '<IMG SRC=x ONERROR=alert(1)>'],
  ['img/src/onerror without spaces', '<img/src/onerror=alert(1)>'],
  ['onmouseover on a link', '<a href="https://x.example" onmouseover="alert(1)">x</a>'],
  ['details ontoggle', '<details open ontoggle=alert(1)><summary>x</summary></details>'],
  ['input autofocus onfocus', '<input autofocus onfocus=alert(1)>'],
  ['body onload', '<body onload=alert(1)>'],
  ['marquee onstart', '<marquee onstart=alert(1)>x</marquee>'],
  ['video source onerror', '<video><source onerror=alert(1)></video>'],
  ['javascript: link', '<a href="javascript:alert(1)">x</a>'],
  ['JaVaScRiPt&#58; entity-encoded colon', '<a href="JaVaScRiPt&#58;alert(1)">x</a>'],
  ['&#106;avascript: entity-encoded letter', '<a href="&#106;avascript:alert(1)">x</a>'],
  ['hex entities throughout', '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>'],
  ['javascript&colon; named entity', '<a href="javascript&colon;alert(1)">x</a>'],
  ['tab inside the scheme', '<a href="java&#x09;script:alert(1)">x</a>'],
  ['newline inside the scheme', '<a href="java\nscript:alert(1)">x</a>'],
  ['leading control character', '<a href="&#x01;javascript:alert(1)">x</a>'],
  ['leading spaces', '<a href="   javascript:alert(1)">x</a>'],
  ['data: text/html link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['data: svg image', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
  ['vbscript: link', '<a href="vbscript:msgbox(1)">x</a>'],
  ['Markdown link javascript:', '[x](javascript:alert(1))'],
  ['Markdown link JaVaScRiPt&#58;', '[x](JaVaScRiPt&#58;alert(1))'],
  ['Markdown link &#106;avascript:', '[x](&#106;avascript:alert(1))'],
  ['Markdown link with escaped colon', '[x](javascript\\:alert(1))'],
  ['Markdown image javascript:', '![x](javascript:alert(1))'],
  ['Markdown link data:', '[x](data:text/html,<script>alert(1)</script>)'],
  ['Markdown autolink javascript:', '<javascript:alert(1)>'],
  ['Markdown reference link javascript:', '[x][r]\n\n[r]: javascript:alert(1)'],
  ['Markdown link title breakout', '[x](https://x.example "a\\" onmouseover=\\"alert(1)")'],
  ['iframe', '<iframe src="https://evil.example"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object data', '<object data="javascript:alert(1)"></object>'],
  ['embed', '<embed src="javascript:alert(1)">'],
  ['form action', '<form action="javascript:alert(1)"><button>x</button></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['isindex', '<isindex action=javascript:alert(1) type=submit>'],
  ['base href', '<base href="javascript:/">'],
  ['meta http-equiv refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['meta http-equiv set-cookie', '<meta http-equiv="Set-Cookie" content="a=b">'],
  ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
  ['inline style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['style element', '<style>body{background:url(javascript:alert(1))}</style>'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg a xlink:href', '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>'],
  ['svg animate onbegin', '<svg><animate onbegin=alert(1) attributeName=x dur=1s>'],
  ['svg set to javascript:', '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>'],
  ['svg foreignObject', '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>'],
  ['mXSS: svg style img', '<svg><style><img src=x onerror=alert(1)></style></svg>'],
  ['mXSS: svg p style', '<svg><p><style><img src=x onerror=alert(1)>'],
  ['mXSS: svg /p style a', '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">'],
  ['mXSS: math mtext table mglyph style', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['mXSS: math mglyph style comment (DOMPurify 2.0.17)', '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">'],
  ['mXSS: form math mtext mglyph', '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>'],
  ['mXSS: math style', '<math><style><img src=x onerror=alert(1)></style></math>'],
  ['math href', '<math href="javascript:alert(1)">x</math>'],
  ['mXSS: noscript title breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['mXSS: template', '<template><img src=x onerror=alert(1)></template>'],
  ['mXSS: comment breakout', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['xmp', '<xmp><img src=x onerror=alert(1)></xmp>'],
  ['noembed', '<noembed><img src=x onerror=alert(1)></noembed>'],
  ['noframes', '<noframes><img src=x onerror=alert(1)></noframes>'],
  ['title', '<title><img src=x onerror=alert(1)></title>'],
  ['textarea', '<textarea><img src=x onerror=alert(1)></textarea>'],
  ['plaintext', '<plaintext><img src=x onerror=alert(1)>'],
  ['area href', '<map><area href="javascript:alert(1)"></map>'],
  ['img srcset', '<img src="/a.png" srcset="javascript:alert(1) 1x">'],
  ['protocol-relative image', '<img src="//evil.example/x.png">'],
  ['unclosed attribute quote', '<a href="https://x.example/" title="x>y" onclick="alert(1)">x</a>'],
  ['Markdown code cannot be unwrapped', '`<script>alert(1)</script>`\n\n```html\n<img src=x onerror=alert(1)>\n```'],
];

describe('Markdown XSS: nothing executable reaches the page', () => {
  for (const [name, payload] of XSS) {
    it(`xss: ${name}`, () => {
      const html = renderMarkdown(payload, OPTS);
      expect(findExecutable(html)).toEqual([]);
    });
  }

  it('the tokenizer check itself flags each kind of executable construct (it would catch a regression)', () => {
    expect(findExecutable('<img src=x onerror=alert(1)>')).toEqual(['img@onerror']);
    expect(findExecutable('<a href="JaVaScRiPt&#58;alert(1)">x</a>')).toEqual(['a@href=javascript:']);
    expect(findExecutable('<a href="java&#x09;script:x">x</a>')).toEqual(['a@href=javascript:']);
    expect(findExecutable('<svg><style></style></svg>')).toEqual(['svg', 'style']);
    expect(findExecutable('<p style="x">x</p>')).toEqual(['p@style']);
    expect(findExecutable('<script type="application/ld+json">{}</script>', { allowJsonLd: true })).toEqual([]);
  });

  it('safe formatting survives: links, images, emphasis, code, tables', () => {
    const html = renderMarkdown('**b** _i_ [link](https://x.example/) ![alt](/images/a.png) `code`\n\n| a |\n|---|\n| 1 |', OPTS);
    expect(html).toContain('<strong>b</strong>');
    expect(html).toContain('<a href="https://x.example/" rel="noopener noreferrer">link</a>');
    expect(html).toContain('<img src="/images/a.png" alt="alt"');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<table>');
  });

  it('a page with every payload in its body: served, and inert (JSON-LD data block only)', async () => {
    const site = await makeSite({ 'hostile.md': md(FM, XSS.map(([, p]) => p).join('\n\n')), 'good.md': md('title: Good\ndate: 2024-03-21\nauthor: Bo Chen') });
    const res = await request(site.app).get('/articles/hostile/');
    expect(res.status).toBe(200);
    expect(findExecutable(res.text, { allowJsonLd: true, allowDocument: true })).toEqual([]);
    expect(res.headers['content-security-policy']).toContain("script-src 'none'");
    expect((await request(site.app).get('/articles/good/')).status).toBe(200);
  });
});

describe('hostile front matter: rejected or neutralised', () => {
  afterAll(() => {
    delete (globalThis as Record<string, unknown>).__pwned;
  });

  it('front matter engine ---js is refused and never evaluated', () => {
    const r = parse("---js\n{ title: (globalThis.__pwned = 1, 'x'), date: '2024-03-22', author: 'A' }\n---\n\nBody.\n");
    expect(errors(r)).toEqual(['1:4: file: front matter engine "js" is not allowed: use plain YAML between --- lines']);
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });

  it('front matter engine ---javascript is refused and never evaluated', () => {
    const r = parse("---javascript\nmodule.exports = { title: (globalThis.__pwned = 1, 'x') }\n---\n\nBody.\n");
    expect(errors(r)).toEqual(['1:4: file: front matter engine "javascript" is not allowed: use plain YAML between --- lines']);
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });

  it('!!js/function tag is refused, nothing runs', () => {
    const r = parse(md(`${FM}\nsummary: !!js/function "function () { globalThis.__pwned = 1 }"`));
    expect(r.entry).toBeUndefined();
    expect(errors(r).join('\n')).toMatch(/not allowed: use plain YAML values/);
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });

  for (const tag of ['!!js/undefined', '!!js/regexp', '!!python/object/apply:os.system', '!custom', '!!binary', '!<tag:yaml.org,2002:js/function>']) {
    it(`unknown YAML tag ${tag} is refused`, () => {
      const r = parse(md(`${FM}\nsummary: ${tag} "x"`));
      expect(r.entry).toBeUndefined();
      expect(errors(r).length).toBeGreaterThan(0);
    });
  }

  it('__proto__ key: no prototype pollution, the key stays plain data', () => {
    const r = parse(md(`${FM}\n__proto__:\n  polluted: yes\nimage:\n  __proto__:\n    polluted: yes\n  credit: Someone`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(r.entry?.title).toBe('Hostile');
    expect(r.diagnostics.some((d) => d.message === 'unknown field "__proto__" is ignored')).toBe(true);
  });

  it('constructor.prototype key: no prototype pollution', () => {
    parse(md(`${FM}\nconstructor:\n  prototype:\n    polluted: yes`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('<< merge key is not a merge: no pollution, no keys injected', () => {
    const r = parse(md(`${FM}\nbase: &b {polluted: yes, draft: true}\n<<: *b\n__proto__: *b`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A merge would have made the article a draft (unpublished); << is just an unknown key.
    expect(r.entry).toBeDefined();
    expect(r.entry && 'draft' in r.entry ? r.entry.draft : undefined).toBe(false);
  });

  it('alias bomb (billion laughs) is refused quickly, before expansion', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const t = performance.now();
    const r = parse(md(`${FM}\n${lines.join('\n')}`));
    expect(performance.now() - t).toBeLessThan(1_000);
    expect(r.entry).toBeUndefined();
    expect(errors(r).join('\n')).toMatch(/alias|refused/i);
  });

  it('5,000-deep flow nesting is refused quickly, before parsing', () => {
    const t = performance.now();
    const r = parse(md(`${FM}\nsummary: ${'['.repeat(5000)}${']'.repeat(5000)}`));
    expect(performance.now() - t).toBeLessThan(200);
    expect(errors(r)).toEqual(['2:1: yaml: front matter is nested more than 20 levels deep']);
  });

  it('1,000-deep block nesting (as deep as fits in MAX_ARTICLE_BYTES) is refused quickly, before parsing', () => {
    const nested = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    const t = performance.now();
    const r = parse(md(`${FM}\nx:\n${nested.replace(/^/gm, ' ')} 1`));
    expect(performance.now() - t).toBeLessThan(500);
    expect(errors(r)).toEqual(['2:1: yaml: front matter is nested more than 20 levels deep']);
  });

  const wrongTypes: [string, string, RegExp][] = [
    ['title as a list', 'title: [a, b]\ndate: 2024-03-22\nauthor: A', /title: must be text, not a list/],
    ['title as a mapping', 'title: {a: b}\ndate: 2024-03-22\nauthor: A', /title: must be text, not a mapping/],
    ['date as a number', 'title: T\ndate: 20240322\nauthor: A', /date: must be a date/],
    ['author as a mapping', 'title: T\ndate: 2024-03-22\nauthor: {name: A}', /author: must be text, not a mapping/],
    ['tags as text', 'title: T\ndate: 2024-03-22\nauthor: A\ntags: politics', /tags: must be a list/],
    ['draft as text', 'title: T\ndate: 2024-03-22\nauthor: A\ndraft: "yes"', /draft: must be true or false/],
    ['image as text', 'title: T\ndate: 2024-03-22\nauthor: A\nimage: /x.png', /image: must be a mapping/],
    ['whole front matter a list', '- a\n- b', /front matter must be a mapping/],
  ];
  for (const [name, fm, re] of wrongTypes) {
    it(`wrong type: ${name} → a clear error, not a crash`, () => {
      const r = parse(md(fm));
      expect(r.entry).toBeUndefined();
      expect(errors(r).join('\n')).toMatch(re);
    });
  }

  it('1 MB title: refused with its length, and the message does not echo it', () => {
    const r = parse(md(`title: ${'a'.repeat(1_000_000)}\ndate: 2024-03-22\nauthor: A`));
    expect(errors(r)).toEqual(['2:8: title: is 1000000 characters long; the limit is 200']);
  });

  for (const [name, ch] of [['BEL control character', '\u0007'], ['ESC control character', '\u001b'], ['C1 control character', '\u0085'], ['NUL character', '\u0000']] as const) {
    it(`${name} in the title is refused`, () => {
      const r = parse(md(`title: "Breaking${ch === '\u0000' ? '\\0' : ch} news"\ndate: 2024-03-22\nauthor: A`));
      expect(r.entry).toBeUndefined();
      expect(errors(r).join('\n')).toMatch(/control characters|invalid|not allowed/);
    });
  }

  for (const [name, ch] of [['RLO override U+202E', '\u202e'], ['RLI isolate U+2067', '\u2067'], ['LRE embedding U+202A', '\u202a']] as const) {
    it(`bidi trick: ${name} in the title or author is refused`, () => {
      expect(errors(parse(md(`title: "Safe ${ch}txt.exe"\ndate: 2024-03-22\nauthor: A`))).join('\n')).toMatch(/bidirectional control characters/);
      expect(errors(parse(md(`title: T\ndate: 2024-03-22\nauthor: "Ann ${ch}Lee"`))).join('\n')).toMatch(/bidirectional control characters/);
    });
  }

  it('BOM and CRLF: parsed exactly like the LF file', () => {
    const lf = md(`${FM}\ntags: [a, b]\nsummary: S`, 'Line one.\n\nLine two.');
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replace(/\n/g, '\r\n'), 'utf8')]);
    const a = parse(lf);
    const b = parse(crlf);
    expect(b.diagnostics).toEqual(a.diagnostics);
    expect(JSON.stringify(b.entry)).toBe(JSON.stringify(a.entry));
    expect(b.entry?.body).not.toContain('\r');
  });

  it('bare CR line endings are parsed like LF', () => {
    const lf = md(FM, 'Body.');
    expect(JSON.stringify(parse(lf.replace(/\n/g, '\r')).entry)).toBe(JSON.stringify(parse(lf).entry));
  });

  it('duplicate keys are an error at the second key', () => {
    const r = parse(md('title: One\ntitle: Two\ndate: 2024-03-22\nauthor: A'));
    expect(r.entry).toBeUndefined();
    expect(errors(r)).toEqual(['3:1: yaml: a key appears twice']);
  });

  it('non-UTF-8 bytes: refused with a clear message', () => {
    const bytes = Buffer.concat([Buffer.from('---\ntitle: Caf', 'utf8'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(`\ndate: 2024-03-22\nauthor: A\n---\n\nBody.\n`, 'utf8')]);
    expect(errors(parse(bytes))).toEqual(['1:1: file: file is not valid UTF-8 text']);
  });

  it('a UTF-16 file (BOM FF FE) is refused as not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(md(FM), 'utf16le')]);
    expect(errors(parse(bytes))).toEqual(['1:1: file: file is not valid UTF-8 text']);
  });

  it('file paths from front matter cannot leave public/: image.src and aliases with .. or encodings are refused', () => {
    for (const src of ['/../../etc/passwd', '/images/%2e%2e/%2e%2e/package.json', '/images/..%2fx.png', '//evil.example/x.png', 'file:///etc/passwd', '/images/a\\..\\b.png']) {
      const r = parse(md(`${FM}\nimage:\n  src: '${src}'\n  alt: x`));
      expect(errors(r).join('\n'), src).toMatch(/image\.src: .* must be a site-relative path/);
    }
    for (const alias of ['//evil.example', '/\\evil.example', 'https://evil.example/x', '/a/../b', '/javascript:alert(1)']) {
      const r = parse(md(`${FM}\naliases: ["${alias.replace(/\\/g, '\\\\')}"]`));
      expect(errors(r).join('\n'), alias).toMatch(/aliases: .* must be a site-relative path/);
    }
  });

  it('the rest of the site is unaffected: hostile files are left out, good ones served', async () => {
    const site = await makeSite({
      'good.md': md('title: Good\ndate: 2024-03-22\nauthor: Bo Chen', 'Good body.'),
      'engine.md': '---js\n{}\n---\n\nx\n',
      'tagged.md': md(`${FM}\nsummary: !!js/function "f"`),
      'dupe.md': md('title: A\ntitle: B\ndate: 2024-03-22\nauthor: A'),
      'bomb.md': md(`${FM}\nsummary: ${'['.repeat(5000)}`),
      'binary.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a]),
      'deep.md': md(FM, '>'.repeat(10_000) + ' quote'),
    });
    expect(site.state.articles.map((a) => a.slug)).toEqual(['good']);
    expect(new Set(site.state.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path))).toEqual(new Set(['engine.md', 'tagged.md', 'dupe.md', 'bomb.md', 'binary.md', 'deep.md']));
    expect((await request(site.app).get('/articles/good/')).status).toBe(200);
    for (const slug of ['engine', 'tagged', 'dupe', 'bomb', 'binary', 'deep']) expect((await request(site.app).get(`/articles/${slug}/`)).status).toBe(404);
  });
});

describe('size limits', () => {
  it('a file over MAX_ARTICLE_BYTES (default 1 MiB) is refused with a clear message, without being read', async () => {
    const big = md(FM, 'word '.repeat(220_000));
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_048_576);
    const site = await makeSite({ 'big.md': big, 'good.md': md('title: Good\ndate: 2024-03-22\nauthor: Bo Chen') });
    const d = site.state.diagnostics.find((x) => x.path === 'big.md');
    expect(d).toMatchObject({ line: 1, column: 1, field: 'file', severity: 'error', message: `file is ${Buffer.byteLength(big)} bytes, over the MAX_ARTICLE_BYTES limit of 1048576` });
    expect(site.state.articles.map((a) => a.slug)).toEqual(['good']);
  });

  it('parseEntry enforces the same limit on bytes it is handed', () => {
    const r = parseEntry('x.md', Buffer.alloc(2049, 0x61), { ...CTX, maxBytes: 2048 });
    expect(errors(r)).toEqual(['1:1: file: file is 2049 bytes, over the MAX_ARTICLE_BYTES limit of 2048']);
  });
});

// Each of these takes marked from seconds to many minutes on the request thread (measured: 100,000
// emphasis markers 40 s; 2,000-deep nested lists 210 s; 150 KB of lazy blockquote lines 27 s).
// Nested lists grow quadratically in bytes, so MAX_ARTICLE_BYTES allows about 700 levels at most.
const PATHOLOGICAL: [string, () => string, RegExp][] = [
  ['100,000 nested brackets', () => '['.repeat(100_000) + 'x' + ']'.repeat(100_000), /a run of 100000 "\[" characters/],
  ['100,000 emphasis markers', () => '*'.repeat(100_000) + 'a' + '*'.repeat(100_000), /a run of 100000 "\*" characters/],
  ['100,000 underscores', () => '_'.repeat(100_000) + 'a', /a run of 100000 "_" characters/],
  ['10,000-deep blockquotes', () => '>'.repeat(10_000) + ' x', /nested 10000 levels deep/],
  ['10,000-deep spaced blockquotes', () => '> '.repeat(10_000) + 'x', /nested 10000 levels deep/],
  ['700-deep nested lists (as deep as fits in 1 MiB)', () => Array.from({ length: 700 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n'), /nested 700 levels deep/],
  ['10,000 inline list markers', () => '- '.repeat(10_000) + 'x', /nested 10000 levels deep/],
  ['500-deep ordered lists', () => Array.from({ length: 500 }, (_, i) => `${'   '.repeat(i)}1. x`).join('\n'), /nested \d{3} levels deep/],
  ['lazy blockquote continuation lines (150 KB)', () => '> a\nb\n'.repeat(25_000), /takes more than 250 ms to render/],
  ['strikethrough and emphasis openers without closers', () => '~~a *'.repeat(15_000), /takes more than 250 ms to render/],
  ['nested strong and emphasis', () => '*a **a '.repeat(30_000) + 'b' + ' a** a*'.repeat(30_000), /takes more than 250 ms to render/],
  // 360 KB of these took about 0.3 s, too close to the limit to test it once the sanitiser no longer ran
  // on Markdown without raw HTML; 1 MB takes 0.5-0.8 s.
  ['unclosed links [a](<b (1 MB)', () => '[a](<b'.repeat(170_000), /takes more than 250 ms to render/],
];

describe('pathological Markdown cannot stall the server', () => {
  for (const [name, make, message] of PATHOLOGICAL) {
    it(`pathological Markdown: ${name} → refused at load with a clear diagnostic`, () => {
      const body = make();
      const r = parse(md(FM, body));
      expect(r.entry).toBeUndefined();
      const d = r.diagnostics.find((x) => x.field === 'body');
      expect(d?.severity).toBe('error');
      expect(d?.message).toMatch(message);
    }, 30_000);
  }

  it(`limits: nesting ${MAX_MARKDOWN_NESTING} levels and delimiter runs of ${MAX_DELIMITER_RUN} are still accepted`, () => {
    const lists = Array.from({ length: 10 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n');
    expect(checkMarkdownBudget(lists)).toBeUndefined();
    expect(checkMarkdownBudget('>'.repeat(MAX_MARKDOWN_NESTING) + ' x')).toBeUndefined();
    expect(checkMarkdownBudget('>'.repeat(MAX_MARKDOWN_NESTING + 1) + ' x')?.message).toBe(`lists or quotes are nested ${MAX_MARKDOWN_NESTING + 1} levels deep; the limit is ${MAX_MARKDOWN_NESTING}`);
    expect(checkMarkdownBudget('*'.repeat(MAX_DELIMITER_RUN))).toBeUndefined();
    expect(checkMarkdownBudget('*'.repeat(MAX_DELIMITER_RUN + 1))?.message).toMatch(/a run of 201 "\*" characters/);
    // Code blocks may hold anything: deep indentation in a fenced block is not nesting.
    expect(checkMarkdownBudget('```yaml\n' + Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n') + '\n```')).toBeUndefined();
  });

  it('the diagnostic points at the line in the file', () => {
    const r = parse(md(FM, 'Intro.\n\n' + '*'.repeat(300) + '\n'));
    expect(r.diagnostics.find((d) => d.field === 'body')).toMatchObject({ line: 9, column: 1 });
  });

  it('a large but ordinary article (70 KB of prose, so rendered once in the worker) is accepted', () => {
    const body = Array.from({ length: 800 }, (_, i) => `Paragraph ${i} with *some* emphasis, a [link](https://x.example/${i}) and more words to read.`).join('\n\n');
    expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024);
    const r = parse(md(FM, body));
    expect(r.entry?.slug).toBe('hostile');
  }, 30_000);

  it('other requests stay fast (< 1 s) while hostile articles are requested and reloaded', async () => {
    const files: Record<string, string> = { 'good.md': md('title: Good\ndate: 2024-03-22\nauthor: Bo Chen', 'Good body.') };
    PATHOLOGICAL.forEach(([, make], i) => (files[`hostile-${i}.md`] = md(FM, make())));
    const site = await makeSite(files);
    expect(site.state.articles.map((a) => a.slug)).toEqual(['good']);
    const srv = await listen(site.app, site.config);
    try {
      const timed = async (p: string): Promise<{ status: number; ms: number }> => {
        const t = performance.now();
        const res = await rawGet(srv.port, p);
        return { status: res.status, ms: performance.now() - t };
      };
      // Hostile articles requested while the good page is requested.
      const results = await Promise.all([...PATHOLOGICAL.map((_, i) => timed(`/articles/hostile-${i}/`)), timed('/articles/good/'), timed('/')]);
      for (const r of results) expect(r.ms).toBeLessThan(1_000);
      expect(results.slice(0, PATHOLOGICAL.length).every((r) => r.status === 404)).toBe(true);
      expect(results.at(-2)!.status).toBe(200);
      // A hostile file saved while the site runs: the reload refuses it, and requests meanwhile stay fast.
      // (The render worker is started once per process; a benign large body makes sure it is running.)
      expect(checkMarkdownBudget('Plain words. '.repeat(4000))).toBeUndefined();
      writeFileSync(path.join(site.contentDir, 'late.md'), md(FM, '> a\nb\n'.repeat(25_000)));
      const reload = site.loader.load();
      const during = await Promise.all([timed('/articles/good/'), timed('/healthz')]);
      const state = await reload;
      for (const r of during) expect(r.ms).toBeLessThan(1_000);
      expect(state.diagnostics.find((d) => d.path === 'late.md')?.message).toMatch(/takes more than 250 ms/);
    } finally {
      await srv.close();
    }
  }, 60_000);
});

describe('symlinks and files outside CONTENT_DIR are never read', () => {
  let outside: string;
  beforeAll(() => {
    outside = tempDir('newsroom-outside-');
    writeFileSync(path.join(outside, 'secret.md'), md('title: Outside Secret\ndate: 2024-03-22\nauthor: Eve', 'SECRET OUTSIDE TEXT'));
    mkdirSync(path.join(outside, 'dir'));
    writeFileSync(path.join(outside, 'dir', 'inner.md'), md('title: Outside Dir\ndate: 2024-03-22\nauthor: Eve', 'SECRET DIR TEXT'));
  });
  afterAll(() => removeDir(outside));

  it('symlink to a file outside CONTENT_DIR: refused with a warning, never read or served', async () => {
    const site = await makeSite({ 'good.md': md('title: Good\ndate: 2024-03-22\nauthor: Bo Chen') });
    symlinkSync(path.join(outside, 'secret.md'), path.join(site.contentDir, 'linked.md'));
    symlinkSync(path.join(outside, 'dir'), path.join(site.contentDir, 'linkeddir'));
    symlinkSync('/etc/passwd', path.join(site.contentDir, 'passwd.md'));
    const state = await site.loader.load();
    expect(state.articles.map((a) => a.slug)).toEqual(['good']);
    const warned = state.diagnostics.filter((d) => d.message === 'is a symbolic link to a place outside CONTENT_DIR; not read').map((d) => d.path);
    expect(warned.sort()).toEqual(['linked.md', 'linkeddir', 'passwd.md']);
    expect(JSON.stringify(state)).not.toContain('SECRET');
    expect(JSON.stringify(state)).not.toContain('root:');
  });

  it('a symlink inside CONTENT_DIR to another file inside is fine', async () => {
    const site = await makeSite({ 'real/good.md': md('title: Good\ndate: 2024-03-22\nauthor: Bo Chen') });
    symlinkSync(path.join(site.contentDir, 'real'), path.join(site.contentDir, 'alias-dir'));
    const state = await site.loader.load();
    expect(state.articles.map((a) => a.slug)).toEqual(['good']);
  });
});
