// markdownShape is a hand-written single pass (it runs on every body at every start-up). Its definition is
// the set of regular expressions below, kept here as the reference: literal cases pin the meaning, and
// fast-check compares the two on random Markdown-shaped text.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownShape, type MarkdownShape } from '../src/content/markdownBudget.js';

const SAFE_MARKUP = 2_000;
const CONTAINERS = /^(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+/gm;
const FENCES = /^ {0,3}(`{3,}|~{3,})(.*)$/gm;
const RUN = /([*_~[\]<>`()!\\])\1+/g;
const MARKUP = /[*_~[\]<>`()!\\|&#=\n]/g;

const lineAt = (s: string, index: number): number => s.slice(0, index).split('\n').length;

function referenceShape(body: string): MarkdownShape {
  const fenced: [number, number][] = [];
  let open: { at: number; fence: string } | undefined;
  for (const m of body.matchAll(FENCES)) {
    const fence = m[1]!;
    if (!open) open = { at: m.index, fence };
    else if (fence[0] === open.fence[0] && fence.length >= open.fence.length && m[2]!.trim() === '') {
      fenced.push([open.at, m.index + m[0].length]);
      open = undefined;
    }
  }
  if (open) fenced.push([open.at, body.length]);
  let depth = 0;
  let depthAt = 0;
  for (const m of body.matchAll(CONTAINERS)) {
    if (fenced.some(([a, b]) => m.index >= a && m.index < b)) continue;
    let indent = 0;
    let markers = 0;
    for (const c of m[0]) {
      if (c === ' ' || c === '\t') {
        if (markers === 0) indent += c === ' ' ? 1 : 4;
      } else if ('>-*+.)'.includes(c)) markers++;
    }
    const d = markers + Math.floor(indent / 2);
    if (d > depth) {
      depth = d;
      depthAt = m.index;
    }
  }
  let run = 1;
  let runChar = '';
  let runAt = 0;
  for (const m of body.matchAll(RUN)) {
    if (m[0].length > run) {
      run = m[0].length;
      runChar = m[1]!;
      runAt = m.index;
    }
  }
  const markup = Math.min(body.match(MARKUP)?.length ?? 0, SAFE_MARKUP + 1);
  return { depth, depthLine: lineAt(body, depthAt), run, runChar, runLine: lineAt(body, runAt), markup };
}

describe('markdownShape', () => {
  it.each([
    ['plain text', 'Just words.', { depth: 0, depthLine: 1, run: 1, runChar: '', runLine: 1, markup: 0 }],
    ['nested quote and list', 'Intro\n\n> - a\n>   - b', { depth: 2, depthLine: 3, run: 1, runChar: '', runLine: 1, markup: 5 }],
    ['indentation counts two columns a level', 'x\n      - deep', { depth: 4, depthLine: 2, run: 1, runChar: '', runLine: 1, markup: 1 }],
    ['ordered markers need a blank after them', '1.x\n2) y\n1234567890. z', { depth: 1, depthLine: 2, run: 1, runChar: '', runLine: 1, markup: 3 }],
    ['fenced code is not nesting', '```js\n> > > >\n```\n> one', { depth: 1, depthLine: 4, run: 3, runChar: '`', runLine: 1, markup: 14 }],
    ['a fence closes only with the same character, as long, and nothing after it', '~~~~\n> > a\n~~~ \n~~~~ x\n> > > b\n~~~~~\n> c', { depth: 1, depthLine: 7, run: 5, runChar: '~', runLine: 6, markup: 28 }],
    ['the first longest delimiter run is reported', 'a ** b\n\n___ c ___ d', { depth: 0, depthLine: 1, run: 3, runChar: '_', runLine: 3, markup: 10 }],
    ['a carriage return starts a line too', 'x\r- y', { depth: 1, depthLine: 1, run: 1, runChar: '', runLine: 1, markup: 0 }],
  ])('%s', (_name, body, expected) => {
    expect(markdownShape(body)).toEqual(expected);
    expect(referenceShape(body)).toEqual(expected);
  });

  it('counts markup only up to just past the threshold', () => {
    expect(markdownShape('*a* '.repeat(5000)).markup).toBe(SAFE_MARKUP + 1);
  });

  it('agrees with the reference regular expressions on random Markdown-shaped text', () => {
    const piece = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\r', '\u2028', '>', '> ', '-', '- ', '* ', '+ ', '1. ', '12) ', '1234567890. ', '```', '````', '~~~', '``` js', '**', '__', '~~', '[[', ']]', '((', '!!', '\\\\', '<<', '|', '&', '#', '=', 'a', 'word', '9', '\u00a0');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const body = parts.join('');
        expect(markdownShape(body)).toEqual(referenceShape(body));
      }),
      { numRuns: 20_000 },
    );
  });
});
