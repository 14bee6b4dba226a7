// Finds anything executable in HTML by parsing it with a real tokenizer (htmlparser2, the parser
// sanitize-html itself uses), not with regexes: script and other active elements, event-handler and style
// attributes, and URLs whose scheme could run code (javascript:, data:, vbscript:, however encoded).

import { Parser } from 'htmlparser2';

/** Elements that run code, load active content, change how the page parses, or submit data. */
const ACTIVE = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'base', 'meta', 'link', 'style', 'svg', 'math',
  'template', 'noscript', 'xmp', 'noembed', 'noframes', 'plaintext', 'textarea', 'select', 'button', 'isindex', 'marquee',
  'video', 'audio', 'source', 'track', 'portal', 'body', 'html', 'head', 'title', 'param', 'area', 'map', 'image', 'keygen',
]);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'cite', 'srcset', 'lowsrc', 'dynsrc', 'ping', 'codebase', 'manifest', 'longdesc', 'usemap', 'to', 'from', 'values']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

export interface ExecutableOptions {
  /** Page templates carry one JSON-LD data block: a script element that is data, never run. */
  readonly allowJsonLd?: boolean;
  /** The page layout itself uses <html>, <head>, <meta>, <link>, <title> and <body>. */
  readonly allowDocument?: boolean;
}

const DOCUMENT_TAGS = new Set(['html', 'head', 'body', 'meta', 'link', 'title']);

/** Every executable construct found, as "tag", "tag@attr=value"; empty when the HTML is inert. */
export function findExecutable(html: string, opts: ExecutableOptions = {}): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const isJsonLd = name === 'script' && attribs.type === 'application/ld+json';
        if (ACTIVE.has(name) && !(opts.allowJsonLd && isJsonLd) && !(opts.allowDocument && DOCUMENT_TAGS.has(name))) found.push(name);
        if (name === 'input' && attribs.type !== 'checkbox') found.push(`input type=${attribs.type ?? ''}`);
        if (opts.allowDocument && name === 'meta' && attribs['http-equiv'] !== undefined) found.push(`meta http-equiv=${attribs['http-equiv']}`);
        for (const [attr, value] of Object.entries(attribs)) {
          if (attr.startsWith('on')) found.push(`${name}@${attr}`);
          if (attr === 'style' || attr === 'srcdoc' || attr === 'formaction') found.push(`${name}@${attr}`);
          if (URL_ATTRS.has(attr)) {
            for (const part of attr === 'srcset' ? value.split(',') : [value]) {
              // Browsers drop ASCII whitespace and control characters inside a scheme before reading it.
              // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
              const cleaned = part.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
              const scheme = /^([a-z][a-z0-9+.-]*):/.exec(cleaned)?.[1];
              if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) found.push(`${name}@${attr}=${scheme}:`);
              if (/^[/\\]{2}/.test(cleaned) && name !== 'a') found.push(`${name}@${attr}=protocol-relative`);
            }
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}
