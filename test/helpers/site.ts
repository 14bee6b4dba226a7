// Shared by test files: a throw-away CONTENT_DIR (and PUBLIC_DIR) written from a {relPath: text} map,
// loaded the way the server loads it, with the app built on top. Keep this small and stable: other suites import it.

import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { ContentLoader, type ContentState } from '../../src/content/ContentLoader.js';
import { ContentStore, type Clock } from '../../src/ContentStore.js';

/** The repository root (tests never depend on the machine's absolute paths). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Markdown files under content/ (pages included, README.md not), as full paths. */
export function bundledMarkdown(dir = path.join(REPO, 'content')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bundledMarkdown(path.join(dir, e.name)) : e.name.endsWith('.md') && e.name !== 'README.md' ? [path.join(dir, e.name)] : [],
  );
}

export type Files = Readonly<Record<string, string | Uint8Array>>;

/** A new empty folder under os.tmpdir(); remove it with removeDir or close(). */
export function tempDir(prefix = 'newsroom-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes each relative path under root, creating folders as needed. */
export function writeFiles(root: string, files: Files): void {
  for (const [rel, data] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, data);
  }
}

/** A Markdown file: the YAML lines between --- fences, then the body. */
export function md(frontMatter: string, body = 'Body text.'): string {
  return `---\n${frontMatter.replace(/\n+$/, '')}\n---\n\n${body}\n`;
}

export interface SiteOptions {
  /** Extra environment for testConfig (CONTENT_DIR and PUBLIC_DIR are set by makeSite). */
  readonly env?: Readonly<Record<string, string>>;
  /** Files to add to a copy of the repository's public/ (e.g. {"images/a.png": pngBytes}). */
  readonly publicFiles?: Files;
  readonly clock?: Clock;
}

export interface TestSite {
  readonly root: string;
  readonly contentDir: string;
  readonly publicDir: string;
  readonly config: Config;
  readonly loader: ContentLoader;
  readonly state: ContentState;
  readonly store: ContentStore;
  readonly app: App;
  /** Stops the store's timer and deletes the temporary folders. */
  close(): void;
}

const open = new Set<TestSite>();

/**
 * Writes `files` into a temporary CONTENT_DIR and builds config, loaded content, store and app.
 * The public folder is a copy of the repository's, so the stylesheet and favicon are served as in production.
 */
export async function makeSite(files: Files, options: SiteOptions = {}): Promise<TestSite> {
  const root = tempDir();
  const contentDir = path.join(root, 'content');
  const publicDir = path.join(root, 'public');
  mkdirSync(contentDir);
  cpSync(path.join(REPO, 'public'), publicDir, { recursive: true });
  writeFiles(contentDir, files);
  writeFiles(publicDir, options.publicFiles ?? {});
  const config = testConfig({ ...options.env, CONTENT_DIR: contentDir, PUBLIC_DIR: publicDir });
  const loader = new ContentLoader({
    contentDir,
    publicDir,
    timezone: config.siteTimezone,
    maxBytes: config.maxArticleBytes,
    keepLastGood: false,
  });
  const state = await loader.load();
  const store = new ContentStore(state, { preview: config.preview, ...(options.clock ? { clock: options.clock } : {}) });
  const app = createApp(config, store, { loader });
  const site: TestSite = {
    root,
    contentDir,
    publicDir,
    config,
    loader,
    state,
    store,
    app,
    close() {
      store.dispose();
      removeDir(root);
      open.delete(site);
    },
  };
  open.add(site);
  return site;
}

/** Closes every site makeSite created and not yet closed: use as afterEach(closeSites). */
export function closeSites(): void {
  for (const s of [...open]) s.close();
}

/** A clock tests move by hand. */
export function fixedClock(ms: number): Clock & { set(ms: number): void } {
  let now = ms;
  return {
    now: () => now,
    set(next: number) {
      now = next;
    },
  };
}
