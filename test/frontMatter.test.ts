import { describe, expect, it } from 'vitest';
import { decodeContent, parseFrontMatter, type FrontMatter } from '../src/content/frontMatter.js';

function ok(text: string): FrontMatter {
  const r = parseFrontMatter(text, 'x.md');
  if (!r.ok) throw new Error(`expected front matter to parse: ${JSON.stringify(r.diagnostics)}`);
  return r.value;
}

function problems(text: string): string[] {
  const r = parseFrontMatter(text, 'x.md');
  if (r.ok) throw new Error('expected a problem');
  return r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.field}: ${d.message}`);
}

describe('parseFrontMatter', () => {
  it('splits YAML front matter from the body', () => {
    const fm = ok('---\ntitle: Troops\ndate: 2024-03-22\ntags: [Niger, Africa]\n---\n\nFirst paragraph.\n');
    expect(fm.data).toEqual({ title: 'Troops', date: '2024-03-22', tags: ['Niger', 'Africa'] });
    expect(fm.body).toBe('\nFirst paragraph.\n');
    expect(fm.bodyLine).toBe(6);
  });

  it('keeps dates as text (YAML 1.2 core schema: no implicit timestamps)', () => {
    expect(ok('---\ndate: 2024-03-22\nupdated: 2024-03-22T09:30:00+01:00\n---\nx').data).toEqual({
      date: '2024-03-22',
      updated: '2024-03-22T09:30:00+01:00',
    });
  });

  it('accepts "..." as the closing line and an empty front matter', () => {
    expect(ok('---\ntitle: T\n...\nBody').body).toBe('Body');
    const empty = ok('---\n---\nBody');
    expect(empty.data).toEqual({});
    expect(empty.bodyLine).toBe(3);
  });

  it('refuses code engines such as ---js', () => {
    expect(problems('---js\n{ title: "x" }\n---\nBody')).toEqual(['1:4: file: front matter engine "js" is not allowed: use plain YAML between --- lines']);
    expect(problems('---javascript\nmodule.exports = { title: "x" }\n---\nBody')).toEqual([
      '1:4: file: front matter engine "javascript" is not allowed: use plain YAML between --- lines',
    ]);
    expect(problems('--- js\n{}\n---\nBody')).toEqual(['1:4: file: front matter engine "js" is not allowed: use plain YAML between --- lines']);
  });

  it('reports a missing or unclosed front matter at 1:1', () => {
    expect(problems('Just a body.')).toEqual(['1:1: file: missing front matter: the file must start with a --- line']);
    expect(problems('---\ntitle: T\n\nBody')).toEqual(['1:1: file: front matter is not closed: add a --- line after it']);
  });

  it('reports YAML syntax errors where they are', () => {
    expect(problems('---\ntitle: T\ndate: [2024\nauthor: A\n---\nBody')).toEqual([
      '4:1: yaml: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems('---\ntitle: T\ndate: 2024-01-01\n  author: x\n---\nBody')).toEqual([
      '3:7: yaml: Nested mappings are not allowed in compact mappings',
      '3:7: yaml: Implicit keys need to be on a single line',
    ]);
  });

  it("shortens yaml's message when it quotes a token that runs on (to 200 characters, ending with …)", () => {
    const lines = problems(`---\ntitle: {x: [}]}\nsummary: {a: 'unterminated, ${'b: c, '.repeat(60)}}\n---\nBody`);
    const long = lines.find((l) => l.includes('single-quoted-scalar'));
    expect(long).toMatch(/^3:\d+: yaml: Unexpected single-quoted-scalar token in YAML stream: "'unterminated, b: c, /);
    expect(long!.slice(long!.indexOf('yaml: ') + 6)).toHaveLength(200);
    expect(long!.endsWith('…')).toBe(true);
  });

  it('refuses duplicate keys', () => {
    expect(problems('---\ntitle: A\ntitle: B\n---\nBody')).toEqual(['3:1: yaml: a key appears twice']);
  });

  it('refuses custom and language tags', () => {
    expect(problems('---\ntitle: !!js/function "function () {}"\n---\nBody')).toEqual(['2:8: yaml: tags such as js/function are not allowed: use plain YAML values']);
    expect(problems('---\ntitle: !custom x\n---\nBody')).toEqual(['2:8: yaml: tags such as !custom are not allowed: use plain YAML values']);
  });

  it('refuses a front matter that is not a mapping', () => {
    expect(problems('---\n- a\n- b\n---\nBody')).toEqual(['2:1: yaml: front matter must be a mapping of field: value lines']);
    expect(problems('---\njust text\n---\nBody')).toEqual(['2:1: yaml: front matter must be a mapping of field: value lines']);
  });

  it('refuses alias bombs before expanding them', () => {
    const bomb = [
      '---',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      '---',
      'Body',
    ].join('\n');
    expect(problems(bomb)).toEqual(['2:1: yaml: front matter refused: Excessive alias count indicates a resource exhaustion attack']);
  });

  it('refuses deep nesting without parsing it', () => {
    expect(problems(`---\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\nBody`)).toEqual(['2:1: yaml: front matter is nested more than 20 levels deep']);
  });

  it('keeps __proto__ and << as plain keys (no prototype pollution, no merging)', () => {
    const fm = ok('---\n__proto__: {polluted: true}\nbase: &b {x: 1}\nm:\n  <<: *b\n---\nBody');
    expect(Object.getPrototypeOf(fm.data)).toBe(Object.prototype);
    expect(Object.keys(fm.data)).toEqual(['__proto__', 'base', 'm']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((fm.data as Record<string, unknown>).polluted).toBeUndefined();
    expect(fm.data.m).toEqual({ '<<': { x: 1 } });
  });

  it('tells where a key and its value are', () => {
    const fm = ok('---\ntitle: T\nimage:\n  src: /a.png\ntags:\n  - a\n  - b\n---\nBody');
    expect(fm.position(['title'])).toEqual({ line: 2, column: 1 });
    expect(fm.position(['title'], 'value')).toEqual({ line: 2, column: 8 });
    expect(fm.position(['image', 'src'])).toEqual({ line: 4, column: 3 });
    expect(fm.position(['image', 'src'], 'value')).toEqual({ line: 4, column: 8 });
    expect(fm.position(['tags', 1], 'value')).toEqual({ line: 7, column: 5 });
    // Missing keys fall back to the nearest parent, then to the first front matter line.
    expect(fm.position(['image', 'alt'], 'value')).toEqual({ line: 3, column: 1 });
    expect(fm.position(['date'], 'value')).toEqual({ line: 2, column: 1 });
  });

  it('points at the key when the value is empty', () => {
    expect(ok('---\ntitle: T\ndate:\n---\nBody').position(['date'], 'value')).toEqual({ line: 3, column: 1 });
  });
});

describe('decodeContent', () => {
  it('drops a BOM and turns CRLF and CR into LF', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('---\r\ntitle: T\r\n---\r\nBody\r\nLine\rLast')]);
    expect(decodeContent(bytes)).toBe('---\ntitle: T\n---\nBody\nLine\nLast');
  });

  it('keeps UTF-8 text as it is', () => {
    expect(decodeContent(Buffer.from('Diego González — “quoted”', 'utf8'))).toBe('Diego González — “quoted”');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeContent(Buffer.from('caf\xe9', 'latin1'))).toBeUndefined();
    expect(decodeContent(new Uint8Array([0x2d, 0xff, 0xfe]))).toBeUndefined();
    expect(decodeContent(new Uint8Array([0xc0, 0xae]))).toBeUndefined(); // overlong "."
  });
});
