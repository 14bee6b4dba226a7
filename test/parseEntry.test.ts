import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/content/diagnostic.js';
import type { Article, Page } from '../src/content/model.js';
import { aliasKey, parseEntry, type ParseContext, type ParseResult } from '../src/content/parseEntry.js';

const ctx: ParseContext = {
  timezone: 'UTC',
  maxBytes: 4096,
  imageInfo: (src) => (src === '/images/base.png' ? { width: 1200, height: 800 } : undefined),
};

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const parse = (text: string, file = 'x.md', kind: 'article' | 'page' = 'article', c: ParseContext = ctx): ParseResult => parseEntry(file, bytes(text), c, kind);
/** The formatted diagnostics for a file, in the order they were found. */
const lines = (text: string, file = 'x.md', kind: 'article' | 'page' = 'article'): string[] => parse(text, file, kind).diagnostics.map(formatDiagnostic);

function article(text: string, file = 'x.md'): Article {
  const r = parse(text, file);
  if (r.entry?.kind !== 'article') throw new Error(`expected an article: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.entry;
}

const MINIMAL = '---\ntitle: Troops Stay\ndate: 2024-03-22\nauthor: Micaela Burrow\n---\n\nThe U.S. is working behind the scenes.\n';

describe('parseEntry: valid articles', () => {
  it('reads a minimal article', () => {
    const r = parse(MINIMAL, 'troops-stay.md');
    expect(r.diagnostics).toEqual([]);
    expect(r.entry).toEqual({
      kind: 'article',
      file: 'troops-stay.md',
      slug: 'troops-stay',
      url: '/articles/troops-stay/',
      title: 'Troops Stay',
      date: { ms: Date.UTC(2024, 2, 22), dateOnly: true },
      authors: ['Micaela Burrow'],
      description: 'The U.S. is working behind the scenes.',
      tags: [],
      draft: false,
      noindex: false,
      aliases: [],
      corrections: [],
      body: '\nThe U.S. is working behind the scenes.\n',
      bodyLine: 6,
      words: 7,
      readingMinutes: 1,
      links: [],
    });
    expect(Object.isFrozen(r.entry)).toBe(true);
  });

  it('reads every field', () => {
    const text = [
      '---',
      'title: "Full Example: Troops Stay"',
      'date: 2024-03-22T09:30:00+01:00',
      'updated: 2024-03-23',
      'author:',
      '  - Ann Lee',
      '  - Bo Chen',
      'publisher: Example Wire',
      'summary: A short summary.',
      'tags: [Niger, Africa, Niger]',
      'image:',
      '  src: /images/base.png',
      '  alt: Soldiers at the air base',
      '  caption: The base in 2023.',
      '  credit: Photo by Diego González / Unsplash',
      'source:',
      '  name: Example Wire',
      '  url: https://wire.example/story',
      'canonical: https://wire.example/story',
      'slug: full-example',
      'draft: false',
      'noindex: true',
      'id: tag:news.example,2024-03-22:full-example',
      'aliases: [/old/path/, /2024/03/full]',
      'corrections:',
      '  - date: 2024-03-23',
      '    text: An earlier version misspelled a name.',
      '  - date: 2024-03-25',
      '    text: A later fix.',
      '---',
      '',
      'See [the other story](/articles/other-story/).',
      '',
    ].join('\n');
    const r = parse(text, 'drafts/whatever.md');
    expect(r.diagnostics).toEqual([]);
    expect(r.entry).toEqual({
      kind: 'article',
      file: 'drafts/whatever.md',
      slug: 'full-example',
      url: '/articles/full-example/',
      title: 'Full Example: Troops Stay',
      date: { ms: Date.UTC(2024, 2, 22, 8, 30), dateOnly: false },
      updated: { ms: Date.UTC(2024, 2, 23), dateOnly: true },
      authors: ['Ann Lee', 'Bo Chen'],
      publisher: 'Example Wire',
      summary: 'A short summary.',
      description: 'A short summary.',
      tags: ['Niger', 'Africa'],
      image: { src: '/images/base.png', alt: 'Soldiers at the air base', width: 1200, height: 800, caption: 'The base in 2023.', credit: 'Photo by Diego González / Unsplash' },
      source: { name: 'Example Wire', url: 'https://wire.example/story' },
      canonical: 'https://wire.example/story',
      draft: false,
      noindex: true,
      id: 'tag:news.example,2024-03-22:full-example',
      aliases: ['/old/path', '/2024/03/full'],
      corrections: [
        { date: { ms: Date.UTC(2024, 2, 25), dateOnly: true }, text: 'A later fix.' },
        { date: { ms: Date.UTC(2024, 2, 23), dateOnly: true }, text: 'An earlier version misspelled a name.' },
      ],
      body: '\nSee [the other story](/articles/other-story/).\n',
      bodyLine: 31,
      words: 4,
      readingMinutes: 1,
      links: ['other-story'],
    });
  });

  it('reads a date-only date as midnight in the site time zone', () => {
    const r = parse(MINIMAL, 'x.md', 'article', { ...ctx, timezone: 'Asia/Tokyo' });
    expect(r.entry?.kind === 'article' && r.entry.date).toEqual({ ms: Date.UTC(2024, 2, 21, 15), dateOnly: true });
  });

  it('keeps drafts (they are hidden later, by the site view)', () => {
    expect(article('---\ntitle: T\ndate: 2024-03-22\nauthor: A\ndraft: true\n---\nBody').draft).toBe(true);
  });

  it('parses BOM and CRLF files exactly like LF files', () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MINIMAL.replace(/\n/g, '\r\n'), 'utf8')]);
    const r = parseEntry('troops-stay.md', crlf, ctx);
    expect(r.diagnostics).toEqual([]);
    expect(r.entry).toEqual(parse(MINIMAL, 'troops-stay.md').entry);
  });

  it.each([
    ['LF', (t: string) => Buffer.from(t, 'utf8')],
    ['CRLF', (t: string) => Buffer.from(t.replace(/\n/g, '\r\n'), 'utf8')],
    ['a BOM', (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])],
  ])('keeps the body exactly after multibyte front matter, in a file with %s', (_name, encode) => {
    const text = '---\ntitle: Café – “Zürich” 日本\ndate: 2024-03-22\nauthor: Zoë Ørsted\n---\n\nÉté 😀 body’s text.\n\n## Ünïcode\n';
    const r = parseEntry('x.md', encode(text), ctx);
    expect(r.entry?.title).toBe('Café – “Zürich” 日本');
    expect(r.entry?.body).toBe('\nÉté 😀 body’s text.\n\n## Ünïcode\n');
  });

  it('gives 1, 2 and 3 authors in order', () => {
    expect(article('---\ntitle: T\ndate: 2024-03-22\nauthor: [A]\n---\nBody').authors).toEqual(['A']);
    expect(article('---\ntitle: T\ndate: 2024-03-22\nauthor: [A, B]\n---\nBody').authors).toEqual(['A', 'B']);
    expect(article('---\ntitle: T\ndate: 2024-03-22\nauthor: [A, B, C]\n---\nBody').authors).toEqual(['A', 'B', 'C']);
  });

  it('uses the opening of the body as the description when there is no summary', () => {
    const body = 'The U.S. is working behind the scenes with the Nigerien government to negotiate a way to keep U.S. troops in the country after junta leaders declared the American military footprint illegal.';
    expect(article(`---\ntitle: T\ndate: 2024-03-22\nauthor: A\n---\n\n## A heading\n\n${body}\n`).description).toBe(
      'The U.S. is working behind the scenes with the Nigerien government to negotiate a way to keep U.S. troops in the country after junta leaders declared the…',
    );
  });

  it('accepts summaries of exactly 300 characters and titles of exactly 200', () => {
    const a = article(`---\ntitle: ${'t'.repeat(200)}\nsummary: ${'s'.repeat(300)}\ndate: 2024-03-22\nauthor: A\n---\nBody`);
    expect(a.title).toHaveLength(200);
    expect(a.summary).toHaveLength(300);
  });

  it('lets slug: replace a file name that is not a valid slug', () => {
    const a = article('---\ntitle: T\ndate: 2024-03-22\nauthor: A\nslug: my-story\n---\nBody', 'My Story.md');
    expect(a.slug).toBe('my-story');
    expect(a.url).toBe('/articles/my-story/');
  });
});

describe('parseEntry: errors, reported as path:line:column: field: message', () => {
  it('an invalid date, at the value', () => {
    expect(lines('---\ntitle: T\ndate: "2024-13-45"\nauthor: A\n---\nBody')).toEqual([
      'x.md:3:7: date: "2024-13-45" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
    ]);
    expect(lines('---\ntitle: T\ndate: 2023-02-29\nauthor: A\n---\nBody')).toEqual([
      'x.md:3:7: date: "2023-02-29" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
    ]);
    expect(lines('---\ntitle: T\ndate: 2024-03-22T09:30:00\nauthor: A\n---\nBody')).toEqual([
      'x.md:3:7: date: "2024-03-22T09:30:00" is not a valid date (use 2024-03-22 or 2024-03-22T09:30:00+01:00)',
    ]);
  });

  it('missing required fields', () => {
    expect(lines('---\nsummary: S\n---\nBody')).toEqual(['x.md:2:1: title: is required', 'x.md:2:1: date: is required', 'x.md:2:1: author: is required']);
    expect(lines('---\ntitle: ""\ndate: 2024-03-22\nauthor: []\n---\nBody')).toEqual(['x.md:2:8: title: must not be empty', 'x.md:4:9: author: must name at least one author']);
    expect(parse('---\nsummary: S\n---\nBody').entry).toBeUndefined();
  });

  it('wrongly typed fields', () => {
    expect(
      lines(
        [
          '---',
          'title: [Troops]',
          'date: 2024',
          'author: {name: A}',
          'tags: Niger',
          'draft: "yes"',
          'noindex: 1',
          'image: /images/a.png',
          'source: https://wire.example/',
          '---',
          'Body',
        ].join('\n'),
      ),
    ).toEqual([
      'x.md:2:8: title: must be text, not a list',
      'x.md:3:7: date: must be a date such as 2024-03-22 or 2024-03-22T09:30:00+01:00, not number 2024',
      'x.md:4:9: author: must be text, not a mapping',
      'x.md:5:7: tags: must be a list, not text "Niger"',
      'x.md:8:8: image: must be a mapping of fields, not text "/images/a.png"',
      'x.md:9:9: source: must be a mapping of fields, not text "https://wire.example/"',
      'x.md:6:8: draft: must be true or false, not text "yes"',
      'x.md:7:10: noindex: must be true or false, not number 1',
    ]);
  });

  it('a title over 200 characters and a summary over 300', () => {
    expect(lines(`---\ntitle: ${'t'.repeat(201)}\nsummary: ${'s'.repeat(301)}\ndate: 2024-03-22\nauthor: A\n---\nBody`)).toEqual([
      'x.md:2:8: title: is 201 characters long; the limit is 200',
      'x.md:3:10: summary: is 301 characters long; the limit is 300',
    ]);
  });

  it('control and bidirectional characters in a title', () => {
    expect(lines('---\ntitle: "Troops\\u0007"\ndate: 2024-03-22\nauthor: A\n---\nBody')).toEqual(['x.md:2:8: title: contains control characters']);
    expect(lines('---\ntitle: "Troops \\u202Eyats"\ndate: 2024-03-22\nauthor: A\n---\nBody')).toEqual([
      'x.md:2:8: title: contains invisible bidirectional control characters',
    ]);
  });

  it('a file name that is not a slug, without slug:', () => {
    expect(lines(MINIMAL, 'My Story.md')).toEqual([
      'My Story.md:1:1: slug: file name "My Story" is not a valid slug: rename the file (lowercase letters, digits, single hyphens) or set slug:',
    ]);
    expect(lines(MINIMAL, 'news/Troops_Stay.md')).toEqual([
      'news/Troops_Stay.md:1:1: slug: file name "Troops_Stay" is not a valid slug: rename the file (lowercase letters, digits, single hyphens) or set slug:',
    ]);
  });

  it('an invalid slug:', () => {
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\nslug: My Story\n---\nBody')).toEqual([
      'x.md:5:7: slug: "My Story" must be lowercase letters, digits and single hyphens',
    ]);
  });

  it('updated earlier than date', () => {
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nupdated: 2024-03-21\nauthor: A\n---\nBody')).toEqual(['x.md:4:10: updated: is earlier than date']);
    // Same day is fine.
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nupdated: 2024-03-22\nauthor: A\n---\nBody')).toEqual([]);
  });

  it('an empty body, at the line after the front matter', () => {
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\n---\n\n  \n')).toEqual(['x.md:6:1: body: the body is empty']);
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\n---')).toEqual(['x.md:6:1: body: the body is empty']);
  });

  it('image.src without alt, or not a site-relative path', () => {
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\nimage:\n  src: /images/base.png\n---\nBody')).toEqual([
      'x.md:5:1: image.alt: is required when image.src is given (describe the photo for readers who cannot see it)',
    ]);
    for (const src of ['images/base.png', 'https://cdn.example/base.png', '//cdn.example/base.png', '/images/../../etc/passwd', '/images/%2e%2e/x.png', 'javascript:alert(1)']) {
      expect(lines(`---\ntitle: T\ndate: 2024-03-22\nauthor: A\nimage:\n  src: "${src}"\n  alt: A photo\n---\nBody`)).toEqual([
        `x.md:6:8: image.src: "${src}" must be a site-relative path to a file under public/, such as /images/photo.jpg`,
      ]);
    }
  });

  it('source.url and canonical that are not absolute http(s) URLs', () => {
    expect(
      lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\nsource:\n  name: Wire\n  url: /story\ncanonical: ftp://wire.example/story\n---\nBody'),
    ).toEqual(['x.md:7:8: source.url: "/story" is not an absolute http(s) URL', 'x.md:8:12: canonical: "ftp://wire.example/story" is not an absolute http(s) URL']);
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\ncanonical: "javascript:alert(1)"\n---\nBody')).toEqual([
      'x.md:5:12: canonical: "javascript:alert(1)" is not an absolute http(s) URL',
    ]);
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\ncanonical: wire.example/story\n---\nBody')).toEqual([
      'x.md:5:12: canonical: "wire.example/story" is not an absolute http(s) URL',
    ]);
  });

  it('invalid aliases', () => {
    expect(
      lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\naliases:\n  - old/path\n  - //evil.example/x\n  - /a/../b\n  - https://evil.example/\n  - /\n---\nBody'),
    ).toEqual([
      'x.md:6:5: aliases: "old/path" must be a site-relative path starting with a single / (no scheme, no //, no ..)',
      'x.md:7:5: aliases: "//evil.example/x" must be a site-relative path starting with a single / (no scheme, no //, no ..)',
      'x.md:8:5: aliases: "/a/../b" must be a site-relative path starting with a single / (no scheme, no //, no ..)',
      'x.md:9:5: aliases: "https://evil.example/" must be a site-relative path starting with a single / (no scheme, no //, no ..)',
      'x.md:10:5: aliases: the home page cannot be an alias',
    ]);
  });

  it('corrections without a date or text', () => {
    expect(lines('---\ntitle: T\ndate: 2024-03-22\nauthor: A\ncorrections:\n  - text: Fixed.\n  - date: 2024-03-23\n---\nBody')).toEqual([
      'x.md:6:5: corrections.date: is required',
      'x.md:7:5: corrections.text: is required',
    ]);
  });

  it('a file that is not UTF-8, or over the size limit, at 1:1', () => {
    const latin1 = Buffer.from('---\ntitle: Caf\xe9\ndate: 2024-03-22\nauthor: A\n---\nBody', 'latin1');
    expect(parseEntry('x.md', latin1, ctx).diagnostics.map(formatDiagnostic)).toEqual(['x.md:1:1: file: file is not valid UTF-8 text']);
    expect(parseEntry('x.md', Buffer.alloc(4097, 0x61), ctx).diagnostics.map(formatDiagnostic)).toEqual([
      'x.md:1:1: file: file is 4097 bytes, over the MAX_ARTICLE_BYTES limit of 4096',
    ]);
  });

  it('a ---js front matter', () => {
    expect(lines('---js\n{ title: "T" }\n---\nBody')).toEqual(['x.md:1:4: file: front matter engine "js" is not allowed: use plain YAML between --- lines']);
  });
});

describe('parseEntry: warnings (the article is still published)', () => {
  it('unknown fields, at the key', () => {
    const text = '---\ntitle: T\ndate: 2024-03-22\nauthor: A\nsubtitle: S\nimage:\n  credit: C\n  photographer: P\n---\nBody';
    expect(lines(text)).toEqual(['x.md:5:1: subtitle: unknown field "subtitle" is ignored (warning)', 'x.md:8:3: image.photographer: unknown field "photographer" is ignored (warning)']);
    expect(article(text).image).toEqual({ credit: 'C' });
  });

  it('an image file that does not exist: the image is left out, the caption and credit stay', () => {
    const text = '---\ntitle: T\ndate: 2024-03-22\nauthor: A\nimage:\n  src: /images/missing.png\n  alt: A photo\n  caption: Cap\n  credit: Cred\n---\nBody';
    expect(lines(text)).toEqual(['x.md:6:8: image.src: file public/images/missing.png does not exist or is not an image; the article is shown without it (warning)']);
    expect(article(text).image).toEqual({ caption: 'Cap', credit: 'Cred' });
  });

  it('a credit with no photo is kept alone', () => {
    expect(article('---\ntitle: T\ndate: 2024-03-22\nauthor: A\nimage:\n  credit: Photo by Diego González / Unsplash\n---\nBody').image).toEqual({
      credit: 'Photo by Diego González / Unsplash',
    });
  });
});

describe('parseEntry: pages', () => {
  it('reads a page from pages/', () => {
    const r = parse('---\ntitle: About us\nsummary: Who we are.\norder: 2\n---\n\nWe report.\n', 'pages/about.md', 'page');
    expect(r.diagnostics).toEqual([]);
    expect(r.entry).toEqual({
      kind: 'page',
      file: 'pages/about.md',
      slug: 'about',
      url: '/about/',
      title: 'About us',
      summary: 'Who we are.',
      description: 'Who we are.',
      order: 2,
      body: '\nWe report.\n',
      bodyLine: 6,
    } satisfies Page);
  });

  it('refuses page slugs that collide with site routes, and article-only fields', () => {
    expect(lines('---\ntitle: Articles\n---\nBody', 'pages/articles.md', 'page')).toEqual(['pages/articles.md:2:8: title: page slug "articles" collides with a route the site uses']);
    expect(lines('---\ntitle: Feed\nslug: feed\ndate: 2024-03-22\n---\nBody', 'pages/x.md', 'page')).toEqual([
      'pages/x.md:4:1: date: unknown field "date" is ignored (warning)',
      'pages/x.md:3:7: slug: page slug "feed" collides with a route the site uses',
    ]);
    expect(lines('---\ntitle: About\norder: first\n---\nBody', 'pages/about.md', 'page')).toEqual(['pages/about.md:3:8: order: must be a number, not text "first"']);
  });
});

describe('aliasKey', () => {
  it('compares paths without trailing slashes, except the root', () => {
    expect(aliasKey('/old/path/')).toBe('/old/path');
    expect(aliasKey('/old/path//')).toBe('/old/path');
    expect(aliasKey('/')).toBe('/');
  });
});
