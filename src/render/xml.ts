// Text and attribute escaping for the XML documents the site writes (feeds, sitemaps). Built by hand
// rather than with a library: the documents are small and fixed in shape, and one escape function is
// easier to audit than a serializer's options.

// Characters XML 1.0 does not allow at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF): an entity
// cannot carry them either, so they are dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// The same without the astral range, in UTF-16 code units: when it finds nothing (no control character,
// no surrogate), NOT_XML_CHAR has nothing to remove. A unicode-mode regex walks the text by code points,
// about a third of the cost of escaping a feed's full-text items.
const MAYBE_NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;
const SPECIAL = /[&<>"']/g;
const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content or a double- or single-quoted attribute. "]]>" becomes "]]&gt;". */
export function xmlEscape(s: string): string {
  return (MAYBE_NOT_XML_CHAR.test(s) ? s.replace(NOT_XML_CHAR, '') : s).replace(SPECIAL, (c) => ENTITY[c]!);
}

/** `<name>text</name>`, escaped; nothing when the value is undefined. */
export function el(name: string, value: string | undefined, attrs: Readonly<Record<string, string>> = {}): string {
  if (value === undefined) return '';
  return `<${name}${attributes(attrs)}>${xmlEscape(value)}</${name}>`;
}

/** ` a="x" b="y"`, escaped. */
export function attributes(attrs: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs)) out += ` ${k}="${xmlEscape(v)}"`;
  return out;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
