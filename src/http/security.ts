// Security headers: helmet configures them once; prepared responses replay the exact same set,
// so pages served before the router carry what helmet gives every other response.

import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * No 'unsafe-inline' or 'unsafe-eval' anywhere: pages need no script at all. JSON-LD blocks are data,
 * not script, so script-src 'none' does not affect them. upgrade-insecure-requests and HSTS preload
 * belong to the TLS-terminating proxy (see README, Deploying).
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'https:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'none'"],
  'style-src': ["'self'"],
  'upgrade-insecure-requests': null,
} as const;

export function createHelmet(): Middleware {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true },
    xFrameOptions: { action: 'deny' },
  }) as unknown as Middleware; // helmet's types name Express-free req/res shapes that match node:http's
}

/** The headers helmet sets, captured once by running it against a recording response. */
export function captureHeaders(mw: Middleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      return res;
    },
    removeHeader(name: string) {
      delete headers[name];
    },
    getHeader(name: string) {
      return headers[name];
    },
  };
  let called = false;
  mw({} as IncomingMessage, res as unknown as ServerResponse, () => {
    called = true;
  });
  if (!called) throw new Error('helmet did not complete synchronously');
  return headers;
}
