// The one Markdown pipeline: marked (GFM) renders, sanitize-html removes anything executable.
// Sanitising after rendering is what makes raw HTML inside Markdown safe, whatever marked lets through.
//
// Most articles contain no raw HTML at all. For those, every tag in the output is written by the renderer
// below, which writes each one exactly as sanitize-html would leave it (the same attributes, values and
// spelling), and every piece of text is escaped by marked: running the sanitiser over such a body changes
// nothing, and costs as much as rendering it. So a body is sanitised unless its tokens hold no raw HTML,
// no entity reference, and no link or image address other than a plain http(s), site-relative, fragment
// or mailto one. test/properties.test.ts checks, on generated Markdown, that the result is byte for byte what
// the sanitiser returns.

import { Marked, type MarkedExtension, type Token, type Tokens } from 'marked';
import { createRequire } from 'node:module';
import type sanitizeHtml from 'sanitize-html';
import { escapeHtml } from './escapeHtml.js';
import { fastInlineHtml } from './fastInlineHtml.js';
import { fastInlineText } from './fastInlineText.js';
import { fastParagraph } from './fastParagraph.js';
import { slugify } from './slug.js';

export interface MarkdownOptions {
  /** Origin of the site (e.g. https://news.example): links elsewhere get rel="noopener noreferrer". */
  readonly siteOrigin: string;
  /** Intrinsic size of a site-relative image, so body images carry width and height (no layout shift). */
  readonly imageSize?: (src: string) => { width: number; height: number } | undefined;
  /** Ids the page layout already uses; headings that would repeat one get a suffix. */
  readonly reservedIds?: readonly string[];
}

export class MarkdownError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MarkdownError';
  }
}

// Heading ids need per-document state; parse() is synchronous, so one document renders at a time.
let seenIds = new Map<string, number>();

function uniqueId(text: string): string {
  const base = slugify(text) || 'section';
  const count = seenIds.get(base);
  if (count === undefined) {
    seenIds.set(base, 0);
    return base;
  }
  let n = count + 1;
  while (seenIds.has(`${base}-${n}`)) n++;
  seenIds.set(base, n);
  seenIds.set(`${base}-${n}`, 0);
  return `${base}-${n}`;
}

const stripTags = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');

/**
 * marked's escaping of an address, title or alt text: an entity reference is left as written, for the
 * browser to decode (or the sanitiser, which sees "&#58;" as the ":" it is).
 */
const escapeValue = (s: string): string => s.replace(/[<>"']|&(?!(?:#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);)/g, (c) => escapeHtml(c));

/** Attributes in sanitize-html's form: in order, empty ones bare (alt keeps its =""). `encode`: escape every &. */
function attributeList(attribs: Readonly<Record<string, string>>, encode = false): string {
  let out = '';
  for (const [name, value] of Object.entries(attribs)) out += value ? ` ${name}="${encode ? escapeHtml(value) : escapeValue(value)}"` : name === 'alt' ? ` ${name}=""` : ` ${name}`;
  return out;
}

/** marked's own clean-up of a link or image address; null when it cannot be encoded (marked then writes the text alone). */
function cleanUrl(href: string): string | null {
  try {
    return encodeURI(href).replace(/%25/g, '%');
  } catch {
    return null;
  }
}

// The document being rendered (parse() is synchronous, one document at a time): for link rel and image sizes.
let current: MarkdownOptions = { siteOrigin: 'https://example.invalid' };
let currentHost = 'example.invalid';

const CODE_LANGUAGE = /^[\w-]+$/;

type Parser = { parser: { parseInline(tokens: Tokens.Generic[], renderer?: unknown): string; textRenderer: unknown } };

// Our renderer, shared by the two instances below.
const siteRenderer: MarkedExtension = {
  renderer: {
    heading(this: Parser, token: Tokens.Heading): string {
      const inner = this.parser.parseInline(token.tokens);
      return `<h${token.depth} id="${uniqueId(stripTags(inner))}">${inner}</h${token.depth}>\n`;
    },
    link(this: Parser, token: Tokens.Link): string {
      const autolink = (token as { autolink?: boolean }).autolink === true;
      const inner = autolink ? escapeHtml(token.text) : this.parser.parseInline(token.tokens);
      const href = cleanUrl(token.href);
      if (href === null) return inner;
      return `<a${attributeList(linkAttributes({ href, ...(token.title ? { title: token.title } : {}) }, currentHost), autolink)}>${inner}</a>`;
    },
    image(this: Parser, token: Tokens.Image): string {
      const alt = token.tokens ? this.parser.parseInline(token.tokens, this.parser.textRenderer) : token.text;
      const src = cleanUrl(token.href);
      if (src === null) return escapeValue(alt);
      return `<img${attributeList(imageAttributes({ src, alt, ...(token.title ? { title: token.title } : {}) }, current))} />`;
    },
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<input type="checkbox" disabled${checked ? ' checked' : ''} /> `;
    },
    tablecell(this: Parser, token: Tokens.TableCell): string {
      const tag = token.header ? 'th' : 'td';
      return `<${tag}${token.align ? ` class="align-${token.align}"` : ''}>${this.parser.parseInline(token.tokens)}</${tag}>\n`;
    },
    code({ text, lang, escaped }: Tokens.Code): string {
      const language = (lang ?? '').match(/^\S*/)?.[0] ?? '';
      const code = text ? `${text.replace(/\n$/, '')}\n` : '';
      return `<pre><code${CODE_LANGUAGE.test(language) ? ` class="language-${language}"` : ''}>${escaped ? code : escapeHtml(code)}</code></pre>\n`;
    },
    hr(): string {
      return '<hr />\n';
    },
    br(): string {
      return '<br />';
    },
  },
};

/** marked with the token fast paths, which give marked's own tokens faster, and our renderer. */
const withTokenFastPaths = (inlineHtml?: (src: string) => string | undefined): Marked =>
  new Marked({ gfm: true, breaks: false, async: false })
    // Plain text runs are lexed by a scan that gives marked's own result faster (see fastInlineText.ts).
    .use(fastInlineText)
    // So are paragraphs of plain lines and tight lists of one-line items (see fastParagraph.ts).
    .use(fastParagraph(inlineHtml))
    .use(siteRenderer);

// The content of those paragraphs and items, when it is text, links and simple emphasis, is written
// straight to HTML (see fastInlineHtml.ts) instead of being lexed into tokens and rendered from them.
const marked = withTokenFastPaths((src) => fastInlineHtml(src, plainLinkHtml));
// The reference: marked's tokens all the way, always sanitised (renderMarkdownSanitized, for the tests).
const reference = withTokenFastPaths();

/**
 * What the link renderer above writes for [inner](href), for an address the sanitiser keeps as it is
 * (PLAIN_HREF); undefined for any other, which marked then lexes (and needsSanitizer sees).
 */
function plainLinkHtml(href: string, inner: string): string | undefined {
  const clean = cleanUrl(href);
  if (clean === null || !PLAIN_HREF.test(clean)) return undefined;
  return `<a${attributeList(linkAttributes({ href: clean }, currentHost))}>${inner}</a>`;
}

/** The <a> attributes the site writes: rel="noopener noreferrer" on links to other hosts, never an editor's rel. */
function linkAttributes(attribs: Readonly<Record<string, string>>, siteHost: string): Record<string, string> {
  const href = attribs.href ?? '';
  const out: Record<string, string> = { ...attribs };
  delete out.rel;
  if (/^https?:\/\//i.test(href)) {
    let host = '';
    try {
      host = new URL(href).host;
    } catch {
      host = '';
    }
    if (host !== siteHost) out.rel = 'noopener noreferrer';
  }
  return out;
}

/** The <img> attributes the site writes: lazy loading, an alt (empty when none), the size of a site image. */
function imageAttributes(attribs: Readonly<Record<string, string>>, opts: MarkdownOptions): Record<string, string> {
  const out: Record<string, string> = { ...attribs, loading: 'lazy', decoding: 'async' };
  if (!out.alt) out.alt = '';
  const src = out.src ?? '';
  if (src.startsWith('/') && !src.startsWith('//') && opts.imageSize && !(out.width && out.height)) {
    const size = opts.imageSize(src);
    if (size) {
      out.width = String(size.width);
      out.height = String(size.height);
    }
  }
  return out;
}

// Addresses the sanitiser keeps as they are (anything else, e.g. a relative "page.html", goes through it).
const PLAIN_HREF = /^(?:https?:\/\/[^\s"'<>\\`]+|\/(?![/\\])[^\s"'<>\\`]*|#[^\s"'<>\\`]*|mailto:[^\s"'<>\\`]+)$/i;
const PLAIN_SRC = /^(?:https?:\/\/[^\s"'<>\\`]+|\/(?![/\\])[^\s"'<>\\`]*)$/i;
/** What marked passes through unescaped as an entity (the sanitiser would decode it and write it differently). */
const ENTITY_REFERENCE = /&(?:#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);/;

/** Whether the sanitiser would leave this document's HTML exactly as the renderer writes it. */
function needsSanitizer(markdown: string, tokens: Token[]): boolean {
  return ENTITY_REFERENCE.test(markdown) || someToken(tokens, unsafeToken);
}

function unsafeToken(t: Token): boolean {
  if (t.type === 'html') return true;
  if (t.type !== 'link' && t.type !== 'image') return false;
  const href = cleanUrl(t.href as string);
  return href === null || !(t.type === 'image' ? PLAIN_SRC : PLAIN_HREF).test(href);
}

/**
 * Whether `test` holds for any token, visiting the tokens marked.walkTokens visits (list items, table cells'
 * contents, child tokens). walkTokens itself collects every callback's return value by concatenating
 * arrays, one copy per token: about 100 MB of garbage for a 4,000-article export, and it cannot stop early.
 */
function someToken(tokens: readonly Token[], test: (t: Token) => boolean): boolean {
  for (const t of tokens) {
    if (test(t)) return true;
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of table.header) if (someToken(cell.tokens, test)) return true;
      for (const row of table.rows) for (const cell of row) if (someToken(cell.tokens, test)) return true;
    } else if (t.type === 'list') {
      if (someToken((t as Tokens.List).items, test)) return true;
    } else if ('tokens' in t && t.tokens && someToken(t.tokens, test)) return true;
  }
  return false;
}

/** The two spellings in which marked's escaping differs from the sanitiser's: ' is written as is, and " too in text. */
function asSanitizerWrites(html: string): string {
  const s = html.includes('&#39;') ? html.replaceAll('&#39;', "'") : html;
  let at = s.indexOf('&quot;');
  if (at === -1) return s.trim();
  // A &quot; is text, not part of an attribute, when no "<" comes after the last ">" before it.
  const parts: string[] = [];
  let from = 0;
  for (; at !== -1; at = s.indexOf('&quot;', at + 6)) {
    if (s.lastIndexOf('<', at) > s.lastIndexOf('>', at)) continue;
    parts.push(s.slice(from, at), '"');
    from = at + 6;
  }
  parts.push(s.slice(from));
  return parts.join('').trim();
}

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'del', 's', 'ins', 'u', 'mark', 'small', 'sub', 'sup',
  'code', 'pre', 'kbd', 'samp', 'var', 'blockquote', 'q', 'cite', 'abbr', 'dfn', 'time', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img',
  'figure', 'figcaption', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'details', 'summary', 'input', 'span',
];

function sanitizeOptions(opts: MarkdownOptions): sanitizeHtml.IOptions {
  const siteHost = new URL(opts.siteOrigin).host;
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height', 'loading', 'decoding'],
      h1: ['id'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'],
      ol: ['start', 'reversed'],
      th: ['class', 'scope'],
      td: ['class'],
      code: ['class'],
      abbr: ['title'],
      time: ['datetime'],
      input: ['type', 'checked', 'disabled'],
      blockquote: ['cite'],
      q: ['cite'],
    },
    allowedClasses: { code: [/^language-[\w-]+$/], th: ['align-left', 'align-center', 'align-right'], td: ['align-left', 'align-center', 'align-right'] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'svg', 'math', 'iframe', 'object', 'embed', 'xmp', 'noembed', 'noframes', 'plaintext'],
    enforceHtmlBoundary: false,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: linkAttributes(attribs, siteHost) }),
      img: (tagName, attribs) => ({ tagName, attribs: imageAttributes(attribs, opts) }),
      // marked writes align="..." on table cells, which HTML5 no longer allows; a class keeps the intent.
      th: (tagName, attribs) => alignToClass(tagName, attribs),
      td: (tagName, attribs) => alignToClass(tagName, attribs),
      input: (tagName, attribs) => ({ tagName, attribs: attribs.type === 'checkbox' ? { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } : {} }),
    },
    // An image whose address was removed as unsafe would be invalid HTML; drop it whole.
    exclusiveFilter: (frame) => (frame.tag === 'input' && frame.attribs.type !== 'checkbox') || (frame.tag === 'img' && !frame.attribs.src),
  };
}

function alignToClass(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const out: Record<string, string> = {};
  // The renderer writes the class itself; raw HTML may still use align="...".
  const align = attribs.align ?? /^align-(left|center|right)$/.exec(attribs.class ?? '')?.[1] ?? '';
  if (['left', 'center', 'right'].includes(align)) out.class = `align-${align}`;
  if (attribs.scope) out.scope = attribs.scope;
  return { tagName, attribs: out };
}

const optionsCache = new WeakMap<MarkdownOptions, sanitizeHtml.IOptions>();

// sanitize-html (with its HTML parser and PostCSS) takes about 80 ms to load, and most sites' bodies never
// need it (see the top of this file): it is loaded on first use, not at start-up.
let loadedSanitizer: typeof sanitizeHtml | undefined;
const sanitizer = (): typeof sanitizeHtml => (loadedSanitizer ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtml);

/** Markdown to safe HTML. Throws MarkdownError when the input cannot be rendered (e.g. nested too deeply). */
export function renderMarkdown(markdown: string, opts: MarkdownOptions): string {
  return render(markdown, opts, false);
}

/**
 * The same through marked's tokens only (no fastInlineHtml) and always through the sanitiser: what
 * renderMarkdown must equal for every body (the tests compare).
 */
export function renderMarkdownSanitized(markdown: string, opts: MarkdownOptions): string {
  return render(markdown, opts, true);
}

function render(markdown: string, opts: MarkdownOptions, alwaysSanitize: boolean): string {
  let sanitize = optionsCache.get(opts);
  if (!sanitize) {
    sanitize = sanitizeOptions(opts);
    optionsCache.set(opts, sanitize);
  }
  seenIds = new Map((opts.reservedIds ?? []).map((id) => [id, 0]));
  current = opts;
  currentHost = new URL(opts.siteOrigin).host;
  let html: string;
  let sanitized: boolean;
  try {
    const md = alwaysSanitize ? reference : marked;
    const tokens = md.lexer(markdown);
    sanitized = alwaysSanitize || needsSanitizer(markdown, tokens);
    html = md.parser(tokens);
  } catch (cause) {
    const reason = cause instanceof RangeError ? 'the Markdown is nested too deeply to render' : `the Markdown could not be rendered (${(cause as Error).message.split('\n')[0]})`;
    throw new MarkdownError(reason, { cause });
  }
  return sanitized ? sanitizer()(html, sanitize).trim() : asSanitizerWrites(html);
}

/** Plain text of the first paragraphs, for descriptions: renders only the opening of the body. */
export function plainExcerpt(markdown: string, maxChars = 160): string {
  const paragraphs: string[] = [];
  let total = 0;
  for (const block of markdown.slice(0, 4000).split(/\n[ \t]*\n/)) {
    const b = block.trim();
    // Headings, lists, quotes, code and raw HTML do not describe the story as well as its prose.
    if (!b || /^(#|[-*+] |\d+[.)] |>|```|~~~|<|\||!\[)/.test(b)) continue;
    let text: string;
    try {
      text = stripTags(fastInlineHtml(b, plainLinkHtml) ?? (marked.parseInline(b) as string));
    } catch {
      continue;
    }
    text = text.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    paragraphs.push(text);
    total += text.length + 1;
    if (total >= maxChars) break;
  }
  const joined = paragraphs.join(' ');
  if (joined.length <= maxChars) return joined;
  const cut = joined.slice(0, maxChars - 1);
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${(atWord.length > maxChars * 0.6 ? atWord : cut).replace(/[\s,;:.\u2013\u2014-]+$/, '')}…`;
}

/** Words a reader reads: Markdown syntax, link targets and tags are not counted. */
export function countWords(markdown: string): number {
  let text = markdown;
  // Each rewrite copies the whole body: skip those with nothing to do.
  if (text.includes('```')) text = text.replace(/```[\s\S]*?```/g, ' ');
  if (text.includes('![')) text = text.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1');
  // Link targets go before tags (a target may hold a "<" or ">"); without tags, the scan below skips them.
  const tags = text.includes('<');
  if (tags) text = text.replace(/\]\([^)]*\)/g, ']').replace(/<[^>]+>/g, ' ');
  // A word starts at a letter or digit and runs on through letters, digits and ' ’ . , $ % - (so "1,000",
  // "U.S." and "it’s" are one word each). One pass over the text, without building the list of words.
  // A link's target ("](...)") is skipped in the same pass: rewriting the text without it made a new
  // string per article, and the scan over that string took 2-3 times as long as over the body itself.
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 93 /* ] */ && !tags && text.charCodeAt(i + 1) === 40 /* ( */) {
      const close = text.indexOf(')', i + 2);
      if (close !== -1) {
        inWord = false;
        i = close;
        continue;
      }
    }
    let letterOrDigit: boolean;
    if (c < 128) letterOrDigit = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
    else if (c < 0xd800 || c > 0xdfff) {
      let k = BMP_CLASS[c]!;
      if (k === 0) {
        k = LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 2 : 1;
        BMP_CLASS[c] = k;
      }
      letterOrDigit = k === 2;
    } else {
      // Astral letters (a surrogate pair) are tested whole.
      const cp = text.codePointAt(i)!;
      letterOrDigit = LETTER_OR_DIGIT.test(String.fromCodePoint(cp));
      if (cp > 0xffff) i++;
    }
    if (inWord && (letterOrDigit || c === 39 || c === 0x2019 || c === 46 || c === 44 || c === 36 || c === 37 || c === 45)) continue;
    inWord = letterOrDigit;
    if (letterOrDigit) words++;
  }
  return words;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
// Each character of the Basic Multilingual Plane outside ASCII, tested once against LETTER_OR_DIGIT: 0 not
// yet, 1 no, 2 yes. News prose has curly quotes, dashes and accented names in every paragraph.
const BMP_CLASS = new Uint8Array(0x10000);

/** Site-relative links to articles, to warn about links to articles that do not exist. */
export function internalArticleLinks(markdown: string): string[] {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/(?:\]\(|href=["']?)(?:https?:\/\/[^/\s)]+)?\/articles\/([^/\s)"'#?]+)\/?/g)) out.add(m[1]!);
  return [...out];
}
