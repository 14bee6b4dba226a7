// The export worker's reading of prepared pages: its policy headers, without capturing the response.

import { afterEach, describe, expect, it } from 'vitest';
import { capturePrepared } from '../src/export/dispatch.js';
import { policyHeaders, preparedPolicyHeaders, prepareJob } from '../src/export/exportWorker.js';
import { closeSites, makeSite, md } from './helpers/site.js';

afterEach(() => closeSites());

describe('preparedPolicyHeaders', () => {
  it('gives what policyHeaders gives for the captured response, one shared object per distinct set', async () => {
    const site = await makeSite({
      'one.md': md('title: One\ndate: 2024-03-01\nauthor: Ana Ruiz\ntags: [Energy]', 'First.'),
      'two.md': md('title: Two\ndate: 2024-03-05\nauthor: Ben Okafor\ntags: [Energy]', 'Second.'),
      'pages/about.md': md('title: About', 'About us.'),
    });
    const pages = site.app.pages;
    pages.keep = false;
    pages.etags = false;
    const one = prepareJob(pages, { url: '/articles/one/', kind: 'article' })!;
    const two = prepareJob(pages, { url: '/articles/two/', kind: 'article' })!;
    const home = prepareJob(pages, { url: '/', kind: 'listing' })!;
    const tag = prepareJob(pages, { url: '/tags/energy/', kind: 'listing' })!;
    expect(prepareJob(pages, { url: '/articles/three/', kind: 'article' })).toBeUndefined();
    expect(prepareJob(pages, { url: '/feed.xml', kind: 'document' })).toBeUndefined();
    for (const p of [one, two, home, tag]) {
      expect(preparedPolicyHeaders(p)).toEqual(policyHeaders(capturePrepared(p), false));
      expect(Object.keys(preparedPolicyHeaders(p))).toEqual(Object.keys(policyHeaders(capturePrepared(p), false)));
    }
    // Pages that differ only in per-response headers (length, Last-Modified) share one set.
    expect(one.identity.headers).not.toEqual(two.identity.headers);
    expect(preparedPolicyHeaders(one)).toBe(preparedPolicyHeaders(two));
    expect(preparedPolicyHeaders(one)['Cache-Control']).toMatch(/max-age/);
    expect(preparedPolicyHeaders(one)['Content-Security-Policy']).toContain("default-src 'none'");
    expect(preparedPolicyHeaders(one)).not.toHaveProperty('Content-Length');
    expect(preparedPolicyHeaders(one)).not.toHaveProperty('Last-Modified');
  });
});
