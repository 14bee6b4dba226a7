// URL slugs: article slugs are given by editors (validated), tag and author slugs are derived from names.

import { ownCopy } from './ownCopy.js';

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Name to slug: Unicode NFKD, drop combining marks, lowercase, every run of other characters to one "-".
 * "Côte d'Ivoire" -> "cote-d-ivoire", "U.S. military" -> "u-s-military", "Energy & Power" -> "energy-power".
 */
export function slugify(name: string): string {
  // Tag and author names repeat across thousands of articles and every view rebuild slugs them all again:
  // remembering the few hundred distinct names saves a Unicode normalisation each time.
  let slug = memo.get(name);
  if (slug !== undefined) return slug;
  // NFKD leaves ASCII as it is and ASCII has no combining marks: most names and headings skip both passes.
  const folded = NOT_ASCII.test(name) ? name.normalize('NFKD').replace(/\p{M}+/gu, '') : name;
  slug = folded
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name.length <= 200) {
    if (memo.size >= 10_000) memo.clear();
    // A key of our own: a heading's text is a slice of its article's body, and as a key it would keep that
    // whole body in memory as long as the memo lives (about 50 MB for a 4,000-article export).
    memo.set(ownCopy(name), slug);
  }
  return slug;
}

const memo = new Map<string, string>();
// Any UTF-16 code unit above U+007F.
const NOT_ASCII = /[\u0080-\uffff]/;
