// URL slugs: article slugs are given by editors (validated), tag and author slugs are derived from names.

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Name to slug: Unicode NFKD, drop combining marks, lowercase, every run of other characters to one "-".
 * "Côte d'Ivoire" -> "cote-d-ivoire", "U.S. military" -> "u-s-military", "Energy & Power" -> "energy-power".
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
