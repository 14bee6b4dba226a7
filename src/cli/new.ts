// `npm run new -- "Headline of the story"`: starts a draft at <CONTENT_DIR>/<slug>.md with the front matter
// filled in (today's date in SITE_TIMEZONE, a permanent feed id, draft: true) and prints its path.
// It never overwrites a file. The author is left empty on purpose: `npm run check` refuses an empty author,
// so a draft cannot be published until someone has put a name on it.

import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { isoDate } from '../dates.js';
import { slugify } from '../slug.js';

export const USAGE = 'usage: npm run new -- "Headline of the story"';

/** Same limit as the title field. */
const MAX_TITLE = 200;
/** Long headlines make unwieldy addresses; the slug is cut at a word boundary. */
const MAX_SLUG = 80;

export class NewArticleError extends Error {
  constructor(
    message: string,
    /** 1: the file could not be written; 2: the command was used wrongly. */
    readonly exitCode: 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NewArticleError';
  }
}

/** The headline as a slug of at most 80 characters, cut between words. */
export function slugForHeadline(headline: string): string {
  const slug = slugify(headline);
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG + 1);
  const end = cut.lastIndexOf('-');
  return end > 0 ? cut.slice(0, end) : slug.slice(0, MAX_SLUG);
}

/** The new file's text. JSON strings are valid YAML double-quoted scalars, so any headline stays one string. */
export function draftText(fields: { title: string; date: string; id: string }): string {
  return [
    '---',
    `title: ${JSON.stringify(fields.title)}`,
    `date: ${fields.date}`,
    '# Who wrote it: a name, or a list such as [Jane Doe, John Roe]. `npm run check` refuses an empty',
    '# author, so this draft cannot be published until it has one.',
    'author: ""',
    '# publisher: The organisation in the byline, e.g. for a wire story',
    '# summary: One or two sentences for listings, feeds and search results (at most 300 characters).',
    'tags: []',
    '# Delete this line (or set it to false) to publish.',
    'draft: true',
    '# Permanent id for feed readers: keep it, even if you change the title or rename the file.',
    `id: ${JSON.stringify(fields.id)}`,
    '---',
    '',
    'Write the story here. Leave a blank line between paragraphs.',
    '',
  ].join('\n');
}

export interface NewArticle {
  /** Absolute path of the file written. */
  readonly file: string;
  readonly slug: string;
  readonly text: string;
}

/** Writes <CONTENT_DIR>/<slug>.md for `headline`; throws NewArticleError when it cannot. */
export async function createArticle(config: Config, headline: string, options: { now?: number; id?: string } = {}): Promise<NewArticle> {
  const title = headline.replace(/\s+/g, ' ').trim();
  if (title === '') throw new NewArticleError(`the headline is empty\n${USAGE}`, 2);
  if (title.length > MAX_TITLE) throw new NewArticleError(`the headline is ${title.length} characters long; the limit is ${MAX_TITLE}`, 2);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(title)) throw new NewArticleError('the headline contains control characters', 2);
  const slug = slugForHeadline(title);
  if (slug === '') throw new NewArticleError(`the headline "${title}" has no letters or digits to make an address from`, 2);

  const dir = config.contentDir;
  const st = await fsp.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new NewArticleError(`CONTENT_DIR ${dir} does not exist`, 1);
  const file = path.join(dir, `${slug}.md`);
  const text = draftText({
    title,
    date: isoDate(options.now ?? Date.now(), config.siteTimezone),
    id: options.id ?? `urn:uuid:${randomUUID()}`,
  });
  try {
    // "wx" fails if the file exists, without a window between checking and writing.
    await fsp.writeFile(file, text, { flag: 'wx' });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new NewArticleError(`${file} already exists; edit it, or choose another headline`, 1, { cause });
    }
    throw new NewArticleError(`${file} could not be written (${(cause as Error).message})`, 1, { cause });
  }
  return { file, slug, text };
}

interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** The command: returns the exit code. */
export async function main(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    io.stdout(`${USAGE}\nWrites <CONTENT_DIR>/<slug>.md as a draft and prints its path.\n`);
    return 0;
  }
  if (args.join(' ').trim() === '') {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`configuration error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  try {
    const made = await createArticle(config, args.join(' '));
    io.stdout(`${path.relative(cwd, made.file) || made.file}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof NewArticleError)) throw err;
    const message = err.message.split(config.contentDir).join(path.relative(cwd, config.contentDir) || '.');
    io.stderr(`npm run new: ${message}\n`);
    return err.exitCode;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`npm run new: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
