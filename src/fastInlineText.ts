// marked lexes each run of plain text in a paragraph with its GFM inline text rule (GFM_TEXT below): a
// lazy match that tries eight lookaheads at every character. On news prose that rule was the largest
// single cost of lexing Markdown. This scan finds where the rule stops for the cases prose is made of,
// with one search for the characters that can stop it (about 3x faster), and answers nothing (so marked
// applies its own rule) whenever a case it does not model could be involved: an "@" (email autolinks),
// "mailto:" or "xmpp:", two spaces in a row (hard line breaks), or "&" (marked decodes character references
// in text).
// test/fastInlineText.test.ts holds it to the rule on generated text, and pins the rule's source.

import type { MarkedExtension, Tokens } from 'marked';

/** The rule this scan models, as marked 18 writes it (Lexer.rules.inline.gfm.text). */
export const GFM_TEXT =
  "^(?:[^a-zA-Z0-9](?=(?:mailto|xmpp):)|(`+|~+|[^`~])(?:(?=[`~])|(?= {2,}\\n)|(?=[a-zA-Z0-9.!#$%&'*+\\/=?_`{\\|}~-]+@)|[\\s\\S]*?(?:(?=[\\\\<!\\[`*~_]|\\b_|[hH][tT][tT][pP][sS]?|[fF][tT][pP]:\\/\\/|(?<![^\\s*_~(])www\\.|$)|[^ ](?= {2,}\\n)|[^a-zA-Z0-9](?=(?:mailto|xmpp):)|[^a-zA-Z0-9.!#$%&'*+\\/=?_`{\\|}~-](?=[a-zA-Z0-9.!#$%&'*+\\/=?_`{\\|}~-]+@))))";

// Where the text may stop: its stop characters, and the starts of "http", "ftp://" and "www.". One
// search for all of them is several times faster than the rule's lookaheads at every character.
const CANDIDATE = /[\\<![`*~_]|[hH][tT][tT][pP]|[fF][tT][pP]:\/\/|www\./g;
// "www." stops the text only where a word cannot continue into it (the rule's lookbehind).
const BEFORE_WWW = /[\s*_~(]/;
// Cases not modelled that could end the text at or before the stop found.
const UNMODELLED = /[&@]| {2}|mailto:|xmpp:/g;
// An email address's local part, as the rule's email lookahead has it, followed for a bounded length.
const LOCAL_RUN_LIMIT = 64;
const LOCAL_RUN = new RegExp(`[a-zA-Z0-9.!#$%&'*+/=?_\`{|}~-]{0,${LOCAL_RUN_LIMIT}}`, 'y');

/**
 * The length of the text token marked's GFM rule would take from the start of `src`, or undefined when
 * this scan cannot tell (marked's own rule then runs). It never looks more than a bounded distance past
 * the stop, so a paragraph of many tokens stays linear.
 */
export function inlineTextLength(src: string): number | undefined {
  const n = src.length;
  if (n === 0) return undefined;
  // The rule's first piece: a run of backticks or tildes, or any one character.
  const first = src.charCodeAt(0);
  let from = 1;
  if (first === 0x60 || first === 0x7e) while (from < n && src.charCodeAt(from) === first) from++;
  let stop = n;
  CANDIDATE.lastIndex = from;
  for (let m = CANDIDATE.exec(src); m !== null; m = CANDIDATE.exec(src)) {
    if (m[0] !== 'www.' || BEFORE_WWW.test(src[m.index - 1]!)) {
      stop = m.index;
      break;
    }
    CANDIDATE.lastIndex = m.index + 1;
  }
  // "&" and "@" matter inside the text; two spaces, "mailto:" and "xmpp:" also where they start at the stop.
  const near = src.slice(0, stop + 7);
  UNMODELLED.lastIndex = 0;
  for (let m = UNMODELLED.exec(near); m !== null; m = UNMODELLED.exec(near)) {
    if (m.index < stop || (m.index === stop && m[0].length > 1)) return undefined;
  }
  // An email address whose local part runs through the stop would have ended the text before it.
  LOCAL_RUN.lastIndex = stop;
  const run = LOCAL_RUN.exec(src)![0].length;
  if (run === LOCAL_RUN_LIMIT && stop + run < n) return undefined;
  if (src.charCodeAt(stop + run) === 0x40 /* @ */) return undefined;
  return stop;
}

/** A marked extension: the token marked's own rule would make, found by the scan; false leaves it to marked. */
export const fastInlineText: MarkedExtension = {
  tokenizer: {
    inlineText(src: string): Tokens.Text | false {
      if (this.lexer.state.inRawBlock) return false;
      const n = inlineTextLength(src);
      if (n === undefined) return false;
      const raw = src.slice(0, n);
      return { type: 'text', raw, text: raw, escaped: false };
    },
  },
};
