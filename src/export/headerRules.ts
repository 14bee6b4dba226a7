// The headers a static host must add so exported files leave with what the app sends: the security set
// (identical on every response) and the policies that differ by kind of URL (Cache-Control, the
// Cross-Origin-Resource-Policy of images and feeds, the Content-Type of feeds). They are read from the
// app's own responses during the export, never restated here.
//
// Netlify lets a later matching rule override a header, Cloudflare Pages joins the values of every
// matching rule with commas: so a header is either in `/*` (when every URL has the same value) or in
// rules whose patterns never match the same URL, never both.

import type { JobResult } from './protocol.js';

export interface HeaderRule {
  /** Netlify/Cloudflare pattern: exact path, `:name` for one segment, trailing `*` for the rest. */
  readonly pattern: string;
  readonly urls: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

export interface HeaderPlan {
  /** Same value on every URL. */
  readonly common: Readonly<Record<string, string>>;
  /** The most frequent value of each varying header (nginx sets it server-wide and overrides per location). */
  readonly defaults: Readonly<Record<string, string>>;
  /** Disjoint rules for the varying headers. */
  readonly rules: readonly HeaderRule[];
}

/** The rule pattern a URL would share with its siblings. */
export function patternOf(url: string, kind: JobResult['kind']): string {
  if (kind === 'notfound') return url;
  if (/^\/articles\/[^/]+\/$/.test(url)) return '/articles/:slug/';
  if (/^\/page\/\d+\/$/.test(url)) return '/page/:n/';
  let m = /^\/(tags|authors)\/[^/]+\/(page\/\d+\/|feed\.xml)?$/.exec(url);
  if (m) return `/${m[1]}/:slug/${m[2] === undefined ? '' : m[2] === 'feed.xml' ? 'feed.xml' : 'page/:n/'}`;
  m = /^\/([^/]+)\/./.exec(url);
  if (m && (kind === 'asset' || kind === 'public')) return `/${m[1]}/*`;
  return url;
}

/** Netlify's matching as a regular expression: `*` matches the rest, `:x` one segment, a trailing slash does not matter. */
export function patternRegExp(pattern: string): RegExp {
  const segments = pattern.split('/').filter(Boolean);
  let re = '^';
  for (const seg of segments) {
    if (seg === '*') return new RegExp(`${re}(?:/.*)?$`);
    re += seg.startsWith(':') ? '/[^/]+' : `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  return new RegExp(`${re}/?$`);
}

/** "/tags/x/feed.xml" -> "tags"; "/" -> "". */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

export function patternMatches(pattern: string, url: string): boolean {
  return patternRegExp(pattern).test(url);
}

/**
 * Collects the policy headers of an export's results as they arrive (the coordinating thread has little
 * else to do while the workers render), and makes the plan from them at the end.
 */
export class HeaderPlanner {
  // Compared by lowercased name; written as the app spells it. Thousands of URLs share a handful of header
  // sets: each distinct set is read once (a key per set), and records point to the shared copy.
  private readonly display = new Map<string, string>();
  private readonly sets = new Map<string, { headers: Record<string, string>; count: number }>();
  private readonly records: PlanRecord[] = [];
  // The records by their URL's first segment, and the patterns among them: the plan's last step looks for
  // URLs that another group's wildcard pattern matches only where one can (see finishPlan).
  private readonly buckets = new Map<string, Bucket>();
  // Workers send one object per distinct set in each message (see policyHeaders), so most results share
  // their headers object with the one before: it is known by identity, without reading it again.
  private readonly known = new WeakMap<object, { headers: Record<string, string>; count: number }>();

  add(r: JobResult): void {
    if (r.headers === undefined || r.files.length === 0) return;
    let set = this.known.get(r.headers);
    if (!set) {
      const key = JSON.stringify(r.headers);
      set = this.sets.get(key);
      if (!set) {
        const headers: Record<string, string> = {};
        const given = r.headers;
        for (const k in given) {
          const lower = k.toLowerCase();
          if (!this.display.has(lower)) this.display.set(lower, k);
          headers[lower] = given[k]!;
        }
        set = { headers, count: 0 };
        this.sets.set(key, set);
      }
      this.known.set(r.headers, set);
    }
    set.count++;
    const record = { url: r.url, pattern: patternOf(r.url, r.kind), headers: set.headers };
    this.records.push(record);
    const first = firstSegment(r.url);
    let bucket = this.buckets.get(first);
    if (!bucket) {
      bucket = { records: [], patterns: new Set() };
      this.buckets.set(first, bucket);
    }
    bucket.records.push(record);
    bucket.patterns.add(record.pattern);
  }

  plan(): HeaderPlan {
    return finishPlan(this.records, [...this.sets.values()], this.display, this.buckets);
  }
}

interface PlanRecord {
  readonly url: string;
  readonly pattern: string;
  readonly headers: Record<string, string>;
}

interface Bucket {
  readonly records: PlanRecord[];
  readonly patterns: Set<string>;
}

function finishPlan(
  records: readonly PlanRecord[],
  distinct: readonly { headers: Record<string, string>; count: number }[],
  display: ReadonlyMap<string, string>,
  buckets: ReadonlyMap<string, Bucket>,
): HeaderPlan {
  const names = new Set<string>();
  for (const d of distinct) for (const k of Object.keys(d.headers)) names.add(k);
  const common: Record<string, string> = {};
  const varying: string[] = [];
  for (const name of [...names].sort()) {
    const first = records[0]?.headers[name];
    if (first !== undefined && distinct.every((d) => d.headers[name] === first)) common[name] = first;
    else varying.push(name);
  }
  const defaults: Record<string, string> = {};
  for (const name of varying) {
    const counts = new Map<string, number>();
    for (const d of distinct) {
      const v = d.headers[name];
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + d.count);
    }
    const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best && name !== 'content-type') defaults[name] = best[0];
  }
  // The varying headers of each distinct set, made once: sets that agree on them share one object.
  const picked = new Map<Record<string, string>, Record<string, string>>();
  const byValue = new Map<string, Record<string, string>>();
  for (const d of distinct) {
    const out: Record<string, string> = {};
    for (const name of varying) if (d.headers[name] !== undefined) out[name] = d.headers[name];
    const key = JSON.stringify(out);
    if (!byValue.has(key)) byValue.set(key, out);
    picked.set(d.headers, byValue.get(key)!);
  }
  const pick = (h: Readonly<Record<string, string>>): Record<string, string> => picked.get(h as Record<string, string>)!;

  // Group by pattern; a group whose members disagree, or whose pattern also matches another group's URL,
  // falls back to one exact rule per URL.
  const groups = new Map<string, { urls: string[]; headers: Record<string, string>; uniform: boolean }>();
  const exact = new Set<string>();
  const build = (): void => {
    groups.clear();
    for (const r of records) {
      const pattern = exact.has(r.pattern) ? r.url : r.pattern;
      const h = pick(r.headers);
      const g = groups.get(pattern);
      if (!g) groups.set(pattern, { urls: [r.url], headers: h, uniform: true });
      else {
        g.urls.push(r.url);
        if (g.uniform && g.headers !== h) g.uniform = false;
      }
    }
  };
  for (let round = 0; round < 8; round++) {
    build();
    let split = false;
    for (const [pattern, g] of groups) {
      if (g.urls.length > 1 && !g.uniform) {
        exact.add(pattern);
        split = true;
      }
    }
    // Only wildcard patterns can match a URL of another group; an exact one matches its own URL alone. A
    // pattern whose first segment is a name matches only URLs with that first segment: each URL is tried
    // against those and the patterns that start with a variable, not against all of them.
    const wild = new Map<string, (readonly [string, RegExp])[]>();
    for (const p of groups.keys()) {
      if (!p.includes('*') && !p.includes('/:')) continue;
      const first = firstSegment(p);
      const bucket = first.startsWith(':') || first === '*' ? '' : first;
      wild.set(bucket, [...(wild.get(bucket) ?? []), [p, patternRegExp(p)] as const]);
    }
    // A bucket whose URLs all share the one pattern that could match them has nothing to test (on the
    // corpus: every article, listing page and image), which spares most of 6,000 URLs a loop that runs
    // once, cold, after the last worker stops.
    const anyFirst = wild.get('') ?? [];
    for (const [first, bucket] of buckets) {
      const candidates = [...(wild.get(first) ?? []), ...anyFirst].filter(([pattern]) => !exact.has(pattern));
      if (candidates.length === 0) continue;
      if (exact.size === 0 && candidates.length === 1 && bucket.patterns.size === 1 && bucket.patterns.has(candidates[0]![0])) continue;
      for (const r of bucket.records) {
        const own = exact.has(r.pattern) ? r.url : r.pattern;
        for (const [pattern, re] of candidates) {
          if (pattern !== own && !exact.has(pattern) && re.test(r.url)) {
            exact.add(pattern);
            split = true;
          }
        }
      }
    }
    if (!split) break;
  }
  build();
  const rules: HeaderRule[] = [...groups]
    .map(([pattern, g]) => ({ pattern, urls: g.urls, headers: g.headers }))
    .sort((a, b) => (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
  const named = (h: Readonly<Record<string, string>>): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [display.get(k) ?? k, v]));
  return { common: named(common), defaults: named(defaults), rules: rules.map((r) => ({ ...r, headers: named(r.headers) })) };
}

/** The `_headers` file of Netlify and Cloudflare Pages. */
export function headersFile(plan: HeaderPlan): string {
  const out = ['# Generated by `npm run export`: the headers the app sends, for a static host.', '/*'];
  for (const [k, v] of Object.entries(plan.common)) out.push(`  ${k}: ${v}`);
  for (const rule of plan.rules) {
    const entries = Object.entries(rule.headers);
    if (entries.length === 0) continue;
    out.push(rule.pattern);
    for (const [k, v] of entries) out.push(`  ${k}: ${v}`);
  }
  return `${out.join('\n')}\n`;
}

// Header values never hold "$" (nginx would read a variable); quotes and backslashes are escaped.
const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
const variable = (name: string): string => `$newsroom_${name.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;

function location(pattern: string): string {
  if (pattern.endsWith('/*')) return `location ^~ ${pattern.slice(0, -1)}`;
  if (!pattern.includes('/:')) return `location = ${pattern}`;
  const re = pattern
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return `location ~ "^${re}$"`;
}

/** The same headers for nginx, for the server {} block that serves the export (see deploy/nginx.conf). */
export function nginxHeaders(plan: HeaderPlan, hidden: readonly string[] = []): string {
  const out = [
    '# Generated by `npm run export`: the headers the app sends, for nginx serving the export.',
    '# Include inside the server {} block, after `root`; it adds `location` blocks for the URLs whose',
    '# caching or type differs from pages, so do not declare those locations again.',
  ];
  if (hidden.length > 0) {
    const names = hidden.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    out.push('# The export\'s own bookkeeping is not part of the site.', `location ~ "^/(${names})$" {`, '    return 404;', '}');
  }
  for (const [k, v] of Object.entries(plan.common)) out.push(`add_header ${k} ${quote(v)} always;`);
  for (const [k, v] of Object.entries(plan.defaults)) {
    out.push(`set ${variable(k)} ${quote(v)};`, `add_header ${k} ${variable(k)} always;`);
  }
  for (const rule of plan.rules) {
    const body: string[] = [];
    for (const k of Object.keys(plan.defaults)) {
      const v = rule.headers[k] ?? '';
      if (v !== plan.defaults[k]) body.push(`set ${variable(k)} ${quote(v)};`);
    }
    const type = Object.entries(rule.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    if (type) body.push('types { }', `default_type ${quote(type)};`);
    if (body.length === 0) continue;
    out.push(`${location(rule.pattern)} {`, ...body.map((l) => `    ${l}`), '    try_files $uri $uri/index.html =404;', '}');
  }
  return `${out.join('\n')}\n`;
}
