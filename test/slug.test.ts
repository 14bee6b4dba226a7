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
