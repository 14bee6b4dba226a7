// The bundled seed article, rendered from content/ by the real app, against the committed copy of the
// published page (test/fixtures/seed-article.txt): every word of the body, the headline, credit, byline
// and source link. Needs nothing outside the repository.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { ContentLoader } from '../src/content/ContentLoader.js';
import { ContentStore } from '../src/ContentStore.js';
import { elements, textOf } from './helpers/html.js';
import { REPO } from './helpers/site.js';

const SLUG = 'us-quietly-trying-to-keep-troops-in-african-country-that-wants-to-kick-them-out';
const SOURCE_URL = 'https://tippinsights.com/us-quietly-trying-to-keep-troops-in-african-country-that-wants-to-kick-them-out/';

const fixture = readFileSync(path.join(REPO, 'test/fixtures/seed-article.txt'), 'utf8')
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter(Boolean);
const bylineAt = fixture.findIndex((l) => l.startsWith('By '));
const endAt = fixture.indexOf('Original article link');
const paragraphs = fixture.slice(bylineAt + 1, endAt);

let store: ContentStore;
let app: App;
let html: string;
let status: number;

beforeAll(async () => {
  const config = testConfig({ CONTENT_DIR: path.join(REPO, 'content'), PUBLIC_DIR: path.join(REPO, 'public') });
  const loader = new ContentLoader({ contentDir: config.contentDir, publicDir: config.publicDir, timezone: config.siteTimezone, maxBytes: config.maxArticleBytes });
  const state = await loader.load();
  expect(state.diagnostics).toEqual([]);
  store = new ContentStore(state, { preview: false });
  app = createApp(config, store, { loader });
  const res = await request(app).get(`/articles/${SLUG}/`);
  status = res.status;
  html = res.text;
});
afterAll(() => store.dispose());

describe('the seed article', () => {
  it('reads the fixture as the published page: skip link, headline, credit, byline, 12 paragraphs, source link', () => {
    expect(fixture.slice(0, bylineAt + 1)).toEqual([
      'Skip to content',
      'US Quietly Trying To Keep Troops In African Country That Wants To Kick Them Out',
      'Photo by Diego González / Unsplash',
      'By Micaela Burrow, The Daily Caller News Foundation | March 22, 2024',
    ]);
    expect(paragraphs).toHaveLength(12);
    expect(fixture.at(-1)).toBe('Original article link');
  });

  it('is published at its slug', () => {
    expect(status).toBe(200);
  });

  it('has the body word for word, publisher slips included', () => {
    const body = elements(html, 'div', 'class="story-body"');
    expect(body).toHaveLength(1);
    expect(elements(body[0]!, 'p').map(textOf)).toEqual(paragraphs);
    expect(textOf(body[0]!)).toBe(paragraphs.join(' '));
    expect(textOf(body[0]!)).toContain('about 1,000 U.S. troops and and operates');
    expect(textOf(body[0]!)).toContain('President Mohamen Bazoum.');
  });

  it('shows the headline, the credit line alone, the byline and the source link', () => {
    expect(elements(html, 'h1').map(textOf)).toEqual([fixture[1]]);
    expect(html).toContain(`<title>${fixture[1]}</title>`);
    expect(elements(html, 'p', 'class="credit"').map(textOf)).toEqual(['Photo by Diego González / Unsplash']);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<figure');
    expect(elements(html, 'p', 'class="byline"').map(textOf)).toEqual(['By Micaela Burrow, The Daily Caller News Foundation | March 22, 2024']);
    expect(html).toContain('<time datetime="2024-03-22">March 22, 2024</time>');
    expect(elements(html, 'p', 'class="source"')).toEqual([`<p class="source"><a href="${SOURCE_URL}" rel="noopener noreferrer">Original article link</a></p>`]);
  });

  it('shows the page in the order of the published one', () => {
    const text = textOf(html.slice(html.indexOf('<body')));
    let from = 0;
    for (const line of fixture) {
      const at = text.indexOf(line, from);
      expect([line, at >= from]).toEqual([line, true]);
      from = at + line.length;
    }
  });

  it('is on the home page with its byline and date', async () => {
    const home = (await request(app).get('/')).text;
    expect(home).toContain(`<h2><a href="/articles/${SLUG}/">${fixture[1]}</a></h2>`);
    expect(home).toContain('<p class="byline">By Micaela Burrow, The Daily Caller News Foundation | <time datetime="2024-03-22">March 22, 2024</time></p>');
  });
});
