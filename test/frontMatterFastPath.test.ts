// The front matter fast path (simpleYaml) must give exactly what the yaml package gives, or step aside.
// Random documents built from YAML's awkward corners are parsed both ways and compared.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFrontMatter, simpleYaml } from '../src/content/frontMatter.js';

const full = (yaml: string): unknown => {
  const r = parseFrontMatter(`---\n${yaml}\n---\nBody.\n`, 'x.md', false);
  return r.ok ? r.value.data : 'error';
};

// Scalars as written in a YAML file: plain, quoted, numbers, booleans, nulls, dates, and lookalikes.
const scalar = fc.oneof(
  fc.constantFrom(
    'plain words', 'Côte d’Ivoire', "O'Connell", 'a: b', 'a #b', 'x:', '#hash', '- dash', '-1', '+1', '.5', '1.5', '1e3', '007', '0o17', '0x1F', '12', '0',
    '123456789012345678', 'true', 'True', 'TRUE', 'yes', 'no', 'null', '~', 'Null', '2024-03-22', '2024-03-22T09:30:00+01:00', '12:30', '.inf', '.nan',
    '"quoted"', '"with \\"escapes\\""', '"back\\\\slash"', '"tab\\t"', '"uni\\u00e9"', "'single'", "'it''s'", "'unterminated", '"unterminated',
    '[a, b]', '["a", "b"]', "['a', 'b']", '[]', '[a, ]', '{a: 1}', '{src: "/x.png", alt: "A"}', '{}', '[{date: 2024-01-01, text: "x"}]', '&anchor v', '*alias', '!!str 1',
    '|', '>', 'trailing   ', 'a, b', 'say [this]', 'x "y"',
  ),
  fc.string({ maxLength: 12 }),
);
const key = fc.constantFrom('title', 'date', 'author', 'tags', 'summary', 'image', 'src', 'true', 'null', '__proto__', 'x-y', 'a_b', '1a');
const line = fc.oneof(
  fc.tuple(key, scalar).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(key, fc.array(scalar, { minLength: 1, maxLength: 3 }), fc.constantFrom('  ', '', '    ')).map(([k, items, indent]) => `${k}:\n${items.map((i) => `${indent}- ${i}`).join('\n')}`),
  fc.tuple(key, fc.array(fc.tuple(key, scalar), { minLength: 1, maxLength: 3 })).map(([k, pairs]) => `${k}:\n${pairs.map(([a, b]) => `  ${a}: ${b}`).join('\n')}`),
  fc.constantFrom('# a comment', '', '  # indented comment', 'key:', '  continued line', 'bare words', '- item'),
);

describe('simpleYaml', () => {
  it('agrees with the yaml package whenever it answers', () => {
    let answered = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const yaml = lines.join('\n');
        const fast = simpleYaml(yaml);
        if (fast === undefined) return;
        answered++;
        expect(fast).toStrictEqual(full(yaml));
      }),
      { numRuns: 3000 },
    );
    // The comparison means something only if the fast path answered for a good share of the documents.
    expect(answered).toBeGreaterThan(300);
  });

  it('answers for the usual shapes: one-line values, flow lists and mappings, one level of block list or mapping', () => {
    const usual = [
      'title: "US Quietly Trying To Keep Troops"\ndate: 2024-03-22\nauthor: Micaela Burrow\npublisher: The Daily Caller News Foundation',
      'tags:\n  - Niger\n  - U.S. military\nimage:\n  # no photo file\n  credit: Photo by Diego González / Unsplash\nsource:\n  name: The Daily Caller\n  url: https://example.com/a/',
      'author: ["Noah Fischer", "Tara O\'Connell"]\nsummary: "He said \\"no\\"."\nimage: {src: "/images/a.png", alt: "A view", credit: "Pool"}',
      'corrections: [{date: 2025-04-13, text: "An earlier version misstated the figure."}]\ndraft: false\norder: 3',
    ];
    for (const yaml of usual) {
      expect(simpleYaml(yaml), yaml).toBeDefined();
      expect(simpleYaml(yaml)).toStrictEqual(full(yaml));
    }
  });

  it('steps aside for everything else', () => {
    for (const yaml of ['title: a\ntitle: b', 'a: &x 1\nb: *x', 'x: !!js/function f', 'summary: |\n  text', 'title: one\n  two', '__proto__: {a: 1}', 'a: [1, 2', 'a: "x" # c', 'tags:\n  - a\n    - b']) {
      expect(simpleYaml(yaml), yaml).toBeUndefined();
    }
  });

  it('reports problems at the same line and column as the full parse', () => {
    const text = '---\ntitle: Fine\ndate: "2024-13-45"\ntags:\n  - a\n  - b\n---\nBody.\n';
    const fast = parseFrontMatter(text, 'x.md');
    const slow = parseFrontMatter(text, 'x.md', false);
    expect(fast.ok && slow.ok).toBe(true);
    if (!fast.ok || !slow.ok) return;
    for (const keys of [['date'], ['tags', 1], ['title'], ['missing']]) {
      expect(fast.value.position(keys, 'value')).toEqual(slow.value.position(keys, 'value'));
      expect(fast.value.position(keys)).toEqual(slow.value.position(keys));
    }
  });
});
