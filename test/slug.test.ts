import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLUG_RE, slugify } from '../src/slug.js';

describe('slugify (tag and author page addresses)', () => {
  it.each([
    ["Côte d'Ivoire", 'cote-d-ivoire'],
    ['U.S. military', 'u-s-military'],
    ['Energy & Power', 'energy-power'],
    ['Micaela Burrow', 'micaela-burrow'],
    ['Diego González', 'diego-gonzalez'],
    ['  Niger  ', 'niger'],
    ['--Africa--', 'africa'],
    ['COVID-19', 'covid-19'],
    ['Zoë  Ångström', 'zoe-angstrom'],
    ['ﬁnance', 'finance'], // NFKD splits the ligature
    ['Ｆｕｌｌ Width', 'full-width'],
    ['Müller/Schmidt', 'muller-schmidt'],
    ['2024 Election', '2024-election'],
    ["O'Brien", 'o-brien'],
  ])('%j -> %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(SLUG_RE.test(slug)).toBe(true);
  });

  it('gives ASCII names (which skip Unicode normalisation) the slug the full rule gives', () => {
    const full = (name: string): string =>
      name
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (name) => slugify(name) === full(name)), { numRuns: 2000 });
    expect(slugify('Energy & Power\t2024')).toBe('energy-power-2024');
  });

  it.each(['&', '...', '日本', '   ', '—'])('gives an empty slug for %j (no Latin letters or digits)', (name) => {
    expect(slugify(name)).toBe('');
  });
});

describe('SLUG_RE (article slugs and file names)', () => {
  it.each(['a', 'us-troops', 'covid-19', '2024', 'a1-b2-c3'])('accepts %j', (s) => {
    expect(SLUG_RE.test(s)).toBe(true);
  });
  it.each(['', 'US-troops', 'us_troops', 'us--troops', '-us', 'us-', 'us troops', 'café', 'a/b', '..', 'a.b'])('refuses %j', (s) => {
    expect(SLUG_RE.test(s)).toBe(false);
  });
});
