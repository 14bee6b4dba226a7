// The header plan: security headers common to all URLs in `/*`, policies per pattern of URLs, and exact
// rules where a wildcard pattern would also match another group's URL.

import { describe, expect, it } from 'vitest';
import { HeaderPlanner } from '../src/export/headerRules.js';
import type { JobResult } from '../src/export/protocol.js';

const PAGE = Object.freeze({ 'X-Frame-Options': 'DENY', 'Cache-Control': 'public, max-age=60' });
const IMAGE = Object.freeze({ 'X-Frame-Options': 'DENY', 'Cache-Control': 'public, max-age=3600' });
const result = (url: string, kind: JobResult['kind'], headers: Readonly<Record<string, string>>): JobResult => ({ url, kind, status: 200, files: ['x'], headers });

describe('HeaderPlanner', () => {
  it('gives each pattern of URLs one rule when no wildcard reaches into another group', () => {
    const planner = new HeaderPlanner();
    for (const slug of ['a', 'b', 'c']) planner.add(result(`/articles/${slug}/`, 'article', PAGE));
    planner.add(result('/', 'listing', PAGE));
    for (const f of ['one.png', 'two.png']) planner.add(result(`/images/${f}`, 'public', IMAGE));
    const plan = planner.plan();
    expect(plan.common).toEqual({ 'X-Frame-Options': 'DENY' });
    expect(plan.rules.map((r) => [r.pattern, r.urls.length, r.headers])).toEqual([
      ['/', 1, { 'Cache-Control': 'public, max-age=60' }],
      ['/articles/:slug/', 3, { 'Cache-Control': 'public, max-age=60' }],
      ['/images/*', 2, { 'Cache-Control': 'public, max-age=3600' }],
    ]);
  });

  it('falls back to exact rules for a wildcard group that would also match URLs of another group', () => {
    const planner = new HeaderPlanner();
    for (const slug of ['a', 'b']) planner.add(result(`/articles/${slug}/`, 'article', PAGE));
    // A public file under /articles/: its group's pattern, /articles/*, would match the article pages, and
    // theirs, /articles/:slug/, the file. Each URL gets a rule of its own.
    planner.add(result('/articles/chart.png', 'public', IMAGE));
    const plan = planner.plan();
    expect(plan.rules.map((r) => [r.pattern, r.urls, r.headers['Cache-Control']])).toEqual([
      ['/articles/a/', ['/articles/a/'], 'public, max-age=60'],
      ['/articles/b/', ['/articles/b/'], 'public, max-age=60'],
      ['/articles/chart.png', ['/articles/chart.png'], 'public, max-age=3600'],
    ]);
  });
});
