// The site's one HTML escape, for text and double- or single-quoted attribute values written by hand
// (the body renderer, feeds, redirect pages, the fallback for a body that cannot render). It spells the
// five characters as marked does, so text escaped here and text marked escaped compare equal.

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes & < > " and ' (every &, including one that already starts an entity). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITY[c]!);
}
