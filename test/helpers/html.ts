// Reading HTML the way a person reads it, for exact-text assertions.

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes character references (named ones the templates and sanitiser emit, and numeric ones). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return NAMED[e.toLowerCase()] ?? m;
  });
}

const BLOCK_TAG = /<\/?(?:p|div|h[1-6]|li|ul|ol|blockquote|pre|table|tr|td|th|figure|figcaption|header|footer|main|article|section|aside|nav|br|hr)\b[^>]*>/gi;

/** Visible text: block tags become spaces, inline tags vanish, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return decodeEntities(html.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

/** The outer HTML of every element matching a start-tag pattern, e.g. elements(html, 'p', 'class="byline"'). Not for nested same-name tags. */
export function elements(html: string, tag: string, attrContains = ''): string[] {
  const re = new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}>`, 'g');
  return (html.match(re) ?? []).filter((e) => e.slice(0, e.indexOf('>')).includes(attrContains));
}
