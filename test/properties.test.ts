// Property-based proof (fast-check): for random Markdown and front matter, loading never throws out of the
// loader, and rendered HTML never contains an executable script, event-handler attribute or javascript: URL.
// The HTML is checked with a real tokenizer (htmlparser2), not with regexes.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentLoader } from '../src/content/ContentLoader.js';
import { parseEntry } from '../src/content/parseEntry.js';
import { MarkdownError, renderMarkdown, renderMarkdownSanitized } from '../src/markdown.js';
import { findExecutable } from './hardening/html.js';
import { bundledMarkdown, REPO, removeDir, tempDir } from './helpers/site.js';

const OPTS = { siteOrigin: 'https://news.example', imageSize: (src: string) => (src === '/images/photo.png' ? { width: 640, height: 480 } : undefined) };

const CTX = { timezone: 'UTC', maxBytes: 1_048_576, imageInfo: () => ({ width: 10, height: 10 }) };

// Pieces an attacker (or a fuzzer) would combine: Markdown syntax, raw HTML, event handlers, URL schemes
// with their encodings, and parser-confusing fragments from mutation-XSS payloads.
const TAGS = ['script', 'img', 'a', 'svg', 'math', 'style', 'iframe', 'object', 'embed', 'form', 'base', 'meta', 'noscript', 'template', 'mglyph', 'mtext', 'table', 'textarea', 'title', 'xmp', 'details', 'input', 'p', 'div', 'span', 'code', 'pre'];
const ATTRS = ['href', 'src', 'onerror', 'onload', 'onclick', 'style', 'srcdoc', 'formaction', 'xlink:href', 'action', 'data', 'title', 'id', 'class', 'ONMOUSEOVER'];
const SCHEMES = ['javascript:', 'JaVaScRiPt:', 'JaVaScRiPt&#58;', '&#106;avascript:', 'java&#x09;script:', 'java\nscript:', 'javascript&colon;', ' javascript:', '\u0001javascript:', 'data:text/html,', 'vbscript:', 'https://x.example/', '/', '//evil.example/', ''];

const scheme = fc.constantFrom(...SCHEMES);
const text = fc.string({ maxLength: 12 });
const attr = fc.tuple(fc.constantFrom(...ATTRS), scheme, text, fc.constantFrom('"', "'", '')).map(([a, s, t, q]) => ` ${a}=${q}${s}${t}${q}`);
const tag = fc.tuple(fc.constantFrom(...TAGS), fc.array(attr, { maxLength: 3 }), fc.boolean()).map(([t, as, close]) => `<${t}${as.join('')}>${close ? `</${t}>` : ''}`);
const mdLink = fc.tuple(text, scheme, text, fc.boolean()).map(([label, s, rest, img]) => `${img ? '!' : ''}[${label}](${s}${rest})`);
const syntax = fc.constantFrom('*', '**', '_', '`', '```', '~~', '[', ']', '(', ')', '<', '>', '> ', '- ', '1. ', '# ', '|', '---', '\n', '\n\n', '    ', '&', '&lt;', '<!--', '-->', '"', "'", '\\', '</style>', '</noscript>', '</title>', '<![CDATA[', ']]>', '\u0000', '\u202e');
const fragment = fc.oneof({ weight: 3, arbitrary: tag }, { weight: 2, arbitrary: mdLink }, { weight: 4, arbitrary: syntax }, { weight: 2, arbitrary: text }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) });
const markdown = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

describe('random Markdown renders to inert HTML', () => {
  it('never an executable element, event handler, style attribute or non-http(s) URL', () => {
    fc.assert(
      fc.property(markdown, (src) => {
        let html: string;
        try {
          html = renderMarkdown(src, OPTS);
        } catch (err) {
          // Refusing to render (too deeply nested) is safe; anything else is a bug.
          expect(err).toBeInstanceOf(MarkdownError);
          return;
        }
        expect(findExecutable(html)).toEqual([]);
      }),
      { numRuns: 600 },
    );
  });

  it('rendered output fed back in as Markdown is still inert (no mutation on a second pass)', () => {
    fc.assert(
      fc.property(markdown, (src) => {
        let html: string;
        try {
          html = renderMarkdown(src, OPTS);
        } catch {
          return;
        }
        // Rendering HTML that is already clean as Markdown again must still be inert.
        let again: string;
        try {
          again = renderMarkdown(html, OPTS);
        } catch {
          return;
        }
        expect(findExecutable(again)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

// Plain Markdown (what most articles are): the shapes the renderer writes itself, with the characters its
// escaping and the sanitiser's differ on, and addresses on both sides of the plain-address rule.
const address = fc.constantFrom('https://news.example/a', 'https://other.example/x?a=1&b="2"', 'http://x.example/it\'s', '/images/photo.png', '/articles/a-b/', '#section', 'mailto:desk@news.example', 'page.html', '//evil.example/', 'javascript:alert(1)', 'tel:+123', 'https://x.example/(1)', '/a b', 'data:image/png;base64,AA', 'https://x.example/\u00e9t\u00e9', '<https://a.example>');
const plainPiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('word', 'Quote "this"', "it's", 'AT&T', 'a < b > c', '1,000', '\u2019', '\u00e9', '\u00a0', '\\*', '*', '**', '_', '`', '``', '~~', '~', ' ', '  \n', '\n', '\n\n', '# ', '## ', '> ', '- ', '* ', '1. ', '3) ', '- [ ] ', '- [x] ', '---', '***', '    ', '```', '~~~', '| a | b |\n|:--|--:|\n| 1 | 2 |', '|:-:|', 'www.example.com', 'desk@news.example', '&', '&amp;', '&copy;', '&#39;', '[', ']', '(', ')', '!', '\u0000', '\t') },
  { weight: 2, arbitrary: fc.tuple(text, address, fc.constantFrom('', ' "Title"', " 'it''s'", ' "a & b"'), fc.boolean()).map(([label, a, title, img]) => `${img ? '!' : ''}[${label}](${a}${title})`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', 'js', 'c++', 'x"y', 'ts linenos', '<b>'), text).map(([lang, code]) => `\n\n\`\`\`${lang}\n${code}\n\`\`\`\n\n`) },
  { weight: 1, arbitrary: text },
);
const plainMarkdown = fc.array(plainPiece, { maxLength: 50 }).map((parts) => parts.join(''));

describe('the sanitiser is skipped only where it would change nothing', () => {
  const same = (src: string): void => {
    let fast: string;
    try {
      fast = renderMarkdown(src, OPTS);
    } catch (err) {
      expect(err).toBeInstanceOf(MarkdownError);
      return;
    }
    expect(fast).toBe(renderMarkdownSanitized(src, OPTS));
  };

  it('plain Markdown renders byte for byte as the sanitiser would leave it', () => {
    fc.assert(fc.property(plainMarkdown, same), { numRuns: 3000 });
  });

  it('so does hostile Markdown (which mostly takes the sanitiser)', () => {
    fc.assert(fc.property(markdown, same), { numRuns: 600 });
  });

  it('so does every bundled article and page', () => {
    for (const file of bundledMarkdown()) same(readFileSync(file, 'utf8').replace(/^---\n[\s\S]*?\n---\n/, ''));
  });
});

// Front matter: random YAML built from hostile pieces (tags, anchors, merge keys, prototype keys,
// deep nesting, odd scalars) and random values for the known fields.
const yamlKey = fc.constantFrom('title', 'date', 'author', 'tags', 'summary', 'image', 'source', 'slug', 'draft', 'aliases', 'corrections', 'canonical', '__proto__', 'constructor', '<<', 'prototype', '? complex', '"quoted"', 'x');
const yamlScalar = fc.oneof(
  text.map((t) => JSON.stringify(t)),
  fc.constantFrom('2024-03-22', '2024-13-45', '2024-03-22T09:30:00+01:00', 'true', 'no', '~', 'null', '0x1F', '1e999', '.nan', '-.inf', '!!js/function "f"', '!custom x', '&a x', '*a', '*undefined', '[', '{', '|', '>', '|-\n  block', "'unterminated", '"\\x00"', '"\\u202e"', '@x', '`x', '%x'),
  fc.string({ maxLength: 20 }),
);
const yamlValue: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    yamlScalar,
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(yamlKey, tie('v')), { maxLength: 3 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
  ),
})).v;
const frontMatter = fc.array(fc.tuple(yamlKey, yamlValue), { maxLength: 8 }).map((kv) => kv.map(([k, v]) => `${k}: ${v}`).join('\n'));
const file = fc.tuple(fc.constantFrom('---', '---js', '--- ', '', '---yaml'), frontMatter, fc.constantFrom('---', '...', ''), markdown, fc.boolean(), fc.boolean()).map(([open, fm, close, body, crlf, bom]) => {
  const t = `${open}\n${fm}\n${close}\n\n${body}\n`;
  return `${bom ? '\ufeff' : ''}${crlf ? t.replace(/\n/g, '\r\n') : t}`;
});

describe('random files never throw out of parsing or loading', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parseEntry returns an entry or diagnostics for any text, never throws, never pollutes Object.prototype', () => {
    fc.assert(
      fc.property(file, fc.constantFrom<'article' | 'page'>('article', 'page'), (text, kind) => {
        const r = parseEntry('random.md', Buffer.from(text, 'utf8'), CTX, kind);
        expect(r.entry !== undefined || r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(0);
          expect(d.message.length).toBeLessThan(400);
        }
        expect(Object.prototype).not.toHaveProperty('polluted');
        if (r.entry) {
          // What gets published renders to inert HTML.
          let html = '';
          try {
            html = renderMarkdown(r.entry.body, OPTS);
          } catch (err) {
            expect(err).toBeInstanceOf(MarkdownError);
          }
          expect(findExecutable(html)).toEqual([]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parseEntry never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (junk, tail) => {
        const bytes = Buffer.concat([Buffer.from('---\ntitle: T\n'), Buffer.from(junk), Buffer.from('\n---\n'), Buffer.from(tail)]);
        parseEntry('bytes.md', bytes, CTX);
        parseEntry('bytes.md', junk, CTX);
      }),
      { numRuns: 300 },
    );
  });

  it('ContentLoader.load() never throws, whatever the files hold', async () => {
    const dir = tempDir();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), async (texts) => {
          const contentDir = path.join(dir, `c${Math.random().toString(36).slice(2)}`);
          mkdirSync(contentDir);
          texts.forEach((t, i) => writeFileSync(path.join(contentDir, `file-${i}.md`), t));
          const loader = new ContentLoader({ contentDir, publicDir: path.join(REPO, 'public'), timezone: 'UTC', maxBytes: 1_048_576, keepLastGood: true });
          const state = await loader.load();
          expect(state.files).toBe(texts.length);
          // A second load (the live-reload path) with one file changed must not throw either.
          writeFileSync(path.join(contentDir, 'file-0.md'), texts.at(-1)!);
          await loader.load();
        }),
        { numRuns: 40 },
      );
    } finally {
      removeDir(dir);
    }
  });
});
