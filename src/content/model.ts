// The shapes of published content. Objects are immutable: a reload builds new ones for changed files
// and keeps the same objects for unchanged files, so identity tells what changed.

import type { SiteDate } from '../dates.js';

export interface FeatureImage {
  /** Site-relative path of a file under public/; absent when only a credit is known, or the file is missing. */
  readonly src?: string;
  readonly alt?: string;
  readonly caption?: string;
  readonly credit?: string;
  readonly width?: number;
  readonly height?: number;
}

export interface Correction {
  readonly date: SiteDate;
  readonly text: string;
}

export interface Article {
  readonly kind: 'article';
  /** Path relative to CONTENT_DIR. */
  readonly file: string;
  readonly slug: string;
  readonly url: string;
  readonly title: string;
  readonly date: SiteDate;
  readonly updated?: SiteDate;
  readonly authors: readonly string[];
  readonly publisher?: string;
  readonly summary?: string;
  /** summary, or the opening of the body as plain text. */
  readonly description: string;
  readonly tags: readonly string[];
  readonly image?: FeatureImage;
  readonly source?: { readonly name?: string; readonly url?: string };
  readonly canonical?: string;
  readonly draft: boolean;
  readonly noindex: boolean;
  /** Feed id from front matter, when the editor (or `npm run new`) set one. */
  readonly id?: string;
  readonly aliases: readonly string[];
  readonly corrections: readonly Correction[];
  /** Markdown source of the body; rendered on demand. */
  readonly body: string;
  readonly bodyLine: number;
  readonly words: number;
  readonly readingMinutes: number;
  /** Slugs this article links to as /articles/<slug>/. */
  readonly links: readonly string[];
}

export interface Page {
  readonly kind: 'page';
  readonly file: string;
  readonly slug: string;
  readonly url: string;
  readonly title: string;
  readonly summary?: string;
  readonly description: string;
  readonly order: number;
  readonly body: string;
  readonly bodyLine: number;
}

export type Entry = Article | Page;
