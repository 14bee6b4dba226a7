// The HTML marked writes for the inline content of a paragraph or list item, for the content news prose is
// made of: plain text, links written [text](address), and single **strong** or *emphasised* words or
// phrases. marked lexes such content into tokens (one or more per run of text, each trying a dozen rules in
// turn, after masking the text for emphasis) and then walks them to write the HTML: on the export's corpus
// that was most of the Markdown time. This scan writes the same HTML in one pass, and answers nothing (so
// marked does the work) wherever anything else could be involved: escapes, code, HTML, images, entity
// references, underscores, tildes, autolinks and email addresses, hard line breaks, and emphasis that is
// not a lone run of words between spaces and punctuation.
// test/fastInlineHtml.test.ts holds it to marked's own output on generated text.

/** The HTML for a link, given its address as written and its content's HTML; undefined to leave it to marked. */
export type LinkHtml = (href: string, inner: string) => string | undefined;

// Anything whose meaning marked decides with rules this scan does not model. An entity reference stays
// out because marked passes it through (and the sanitiser would then be needed). "&" and ">" are only
// escaped; one test finds both kinds, and the rarer second look tells them apart.
const UNMODELLED_OR_ESCAPED = /[\\`~_<@\t&>]/;
const UNMODELLED = /[\\`~_<@\t]|&(?:#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);/;
// Hard line breaks (two spaces, or a space before a line break) and double spaces.
const SPACES = / [ \n]/;
// Where GFM turns text into a link of its own: "http", "ftp:", "www.", "mailto:", "xmpp:" (any case).
const AUTOLINK = /[hH][tT][tT][pP]|[fF][tT][pP]:|[wW][wW][wW]\.|[mM][aA][iI][lL][tT][oO]:|[xX][mM][pP][pP]:/;
// Where the scan stops: emphasis, a link, a "]" outside one, or the start of an autolink (which it leaves
// to marked). One search for all of them, which skips the addresses of links.
const SCAN = new RegExp(`[*[\\]]|${AUTOLINK.source}`, 'g');
// What emphasis may hold: words of ASCII letters and digits (and inner hyphens), one space apart.
const EMPHASIS_TEXT = /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/;
// A link text this scan does not model: a bracket, a star or a line break in it, or a space at either end.
const UNMODELLED_LABEL = /[[*\n]|^ | $/;
// An address with nothing marked would read differently: no space, parenthesis, bracket, quote or star.
const ADDRESS = /^[^\s()<>[\]"'*]+$/;
const ESCAPES = /[>&]/g;

/**
 * A run of text as marked writes it, after the renderer's spelling of quotes (asSanitizerWrites in
 * markdown.ts: " and ' as they are, which is what it makes of marked's &quot; and &#39; in text).
 */
const text = (s: string, escape: boolean): string => (escape ? s.replace(ESCAPES, (c) => (c === '&' ? '&amp;' : '&gt;')) : s);

/** After closing emphasis: the end, white space, or punctuation that cannot open anything. */
const closesEmphasis = (c: number): boolean => Number.isNaN(c) || c === 32 || c === 10 || c === 46 || c === 44 || c === 59 || c === 58 || c === 33 || c === 63 || c === 41;

/**
 * The HTML marked's inline lexer and renderer make of `src` (with `link` writing links, and quotes in text
 * as asSanitizerWrites leaves them), or undefined when the content holds anything this scan does not model.
 */
export function fastInlineHtml(src: string, link: LinkHtml): string | undefined {
  const n = src.length;
  if (n === 0 || src.charCodeAt(n - 1) === 32) return undefined;
  const escape = UNMODELLED_OR_ESCAPED.test(src);
  if ((escape && UNMODELLED.test(src)) || SPACES.test(src)) return undefined;
  let out = '';
  let run = 0;
  SCAN.lastIndex = 0;
  for (let m = SCAN.exec(src); m !== null; m = SCAN.exec(src)) {
    const i = m.index;
    let end: number;
    let html: string | undefined;
    if (src.charCodeAt(i) === 42 /* * */) {
      // Emphasis opens after the start, a space or a line break, with one or two stars...
      const before = i === 0 ? 32 : src.charCodeAt(i - 1);
      if (before !== 32 && before !== 10) return undefined;
      const stars = src.charCodeAt(i + 1) === 42 ? 2 : 1;
      const from = i + stars;
      const close = src.indexOf('*', from);
      if (close === -1 || !EMPHASIS_TEXT.test(src.slice(from, close))) return undefined;
      // ...and closes with as many stars, then punctuation, a space, a line break or the end.
      end = close + stars;
      if ((stars === 2 && src.charCodeAt(close + 1) !== 42) || src.charCodeAt(end) === 42 || !closesEmphasis(src.charCodeAt(end))) return undefined;
      const inner = src.slice(from, close);
      html = stars === 2 ? `<strong>${inner}</strong>` : `<em>${inner}</em>`;
    } else if (src.charCodeAt(i) === 91 /* [ */) {
      // [text](address), not an image, the text on one line without brackets, stars, autolinks or spaces at its ends.
      const close = src.indexOf(']', i + 1);
      if (close === -1 || src.charCodeAt(close + 1) !== 40 /* ( */ || (i > 0 && src.charCodeAt(i - 1) === 33) /* ! */) return undefined;
      const label = src.slice(i + 1, close);
      end = src.indexOf(')', close + 2) + 1;
      if (end === 0 || label === '' || UNMODELLED_LABEL.test(label) || AUTOLINK.test(label)) return undefined;
      const href = src.slice(close + 2, end - 1);
      if (!ADDRESS.test(href)) return undefined;
      html = link(href, text(label, escape));
      if (html === undefined) return undefined;
    } else return undefined;
    out += text(src.slice(run, i), escape) + html;
    run = SCAN.lastIndex = end;
  }
  return out + text(src.slice(run), escape);
}
