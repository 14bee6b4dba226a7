/**
 * Synthetic newsroom corpus generator for benchmarks and tests.
 *
 *   npm run gen -- <N> <dir> [--seed S] [--public <publicDir>]
 *
 * Writes N Markdown articles (`<dir>/<slug>.md`) with plain-YAML front matter
 * that is also valid Hugo content. Output is a pure function of (N, seed): a
 * seeded mulberry32 PRNG drives every choice and nothing reads the clock or
 * the environment, so two runs are byte-identical.
 *
 * Images: ~10% of articles carry `image: {src: "/images/gen/<slug>.png", ...}`.
 * The PNG files are written only when a public directory is given (`--public`
 * or the `publicDir` option), to `<publicDir>/images/gen/<slug>.png`, which is
 * where a static server rooted at publicDir would serve that src. Without it
 * the front matter still references the image but no file is written, because
 * guessing a servable location would mean writing outside <dir>.
 *
 * <dir> must be missing or empty: leftovers from an earlier, larger run would
 * silently skew whatever is being measured.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants as zlibConstants, deflateSync } from 'node:zlib';

export const DEFAULT_SEED = 20260101;

export interface GenerateOptions {
  /** Root of the static public folder; PNGs go to `<publicDir>/images/gen/`. */
  publicDir?: string | undefined;
}

export interface GenerateResult {
  articles: number;
  /** PNG files actually written (0 when no publicDir was given). */
  images: number;
}

// ---------------------------------------------------------------------------
// PRNG

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function pick<T>(r: Rng, pool: readonly T[]): T {
  const v = pool[Math.floor(r() * pool.length)];
  if (v === undefined) throw new Error('pick from empty pool');
  return v;
}

function chance(r: Rng, p: number): boolean {
  return r() < p;
}

/** Distinct picks without replacement; pools here are small so a retry loop is cheapest. */
function pickDistinct<T>(r: Rng, pool: readonly T[], count: number): T[] {
  const out: T[] = [];
  while (out.length < count) {
    const v = pick(r, pool);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Word pools

const AUTHORS = [
  'Amara Okafor', 'Ben Hartley', 'Carmen Ruiz', 'Daniel Kim', 'Elena Petrova',
  'Farah Haddad', 'Gabriel Moreau', 'Hannah Weiss', 'Ibrahim Diallo', 'Julia Novak',
  'Kenji Watanabe', 'Laura Bianchi', 'Mateo Fernández', 'Nadia Rahman', 'Oliver Grant',
  'Priya Nair', 'Quentin Lefèvre', 'Rosa Lindqvist', 'Samuel Mensah', "Tara O'Connell",
  'Umar Siddiqui', 'Valeria Costa', 'William Ashby', 'Xiu Chen', 'Yusuf Demir',
  'Zoë Whitfield', 'Aisha Bello', 'Bruno Schmidt', 'Chloé Dubois', 'David Levi',
  'Emma Jørgensen', 'Felipe Santos', 'Grace Mwangi', 'Hugo Martens', 'Isla MacLeod',
  'Jonas Berg', 'Keira Walsh', 'Luca Romano', 'Maya Patel', 'Noah Fischer',
  'Olga Ivanova', 'Pedro Alves', 'Rania Aziz', 'Sofia Kowalska', 'Tomás Herrera',
  'Ursula Brandt', 'Victor Nguyen', 'Wen Li', 'Yara Haddad', 'Zain Malik',
] as const;

const PUBLISHERS = [
  'Northern Wire', 'Continental Press Agency', 'Metro News Service',
  'Harbor & Hill Syndicate', 'Global Dispatch',
] as const;

const PHOTO_AGENCIES = [
  'Northern Wire', 'Metro Photo Desk', 'Continental Press Agency', 'Staff', 'Pool',
] as const;

export const TAGS: readonly string[] = [
  // topics
  'Politics', 'Elections', 'Parliament', 'Government', 'Local government',
  'Foreign policy', 'Diplomacy', 'Defence', 'U.S. military', 'NATO',
  'European Union', 'United Nations', 'Human rights', 'Immigration', 'Justice',
  'Courts', 'Crime', 'Policing', 'Corruption', 'Public sector',
  'Economy', 'Markets', 'Inflation', 'Interest rates', 'Jobs',
  'Labour', 'Trade', 'Tariffs', 'Banking', 'Fintech',
  'Housing', 'Real estate', 'Retail', 'Consumer affairs', 'Small business',
  'Startups', 'Tax', 'Budget', 'Pensions', 'Energy & Power',
  'Oil & Gas', 'Renewables', 'Mining', 'Agriculture', 'Manufacturing',
  'Shipping', 'Aviation', 'Automotive', 'Rail', 'Transport',
  'Tourism', 'Media', 'Advertising', 'Telecoms', 'Technology',
  'AI & Robotics', 'Cybersecurity', 'Privacy', 'Social media', 'Semiconductors',
  'Space', 'Science', 'Research', 'Climate', 'Environment',
  'Wildlife', 'Oceans', 'Weather', 'Natural disasters', 'Earthquakes',
  'Wildfires', 'Floods', 'Health', 'Public health', 'Mental health',
  'Medicine', 'Vaccines', 'Hospitals', 'Education', 'Universities',
  'Schools', 'Culture', 'Arts', 'Books', 'Film',
  'Music', 'Theatre', 'Fashion', 'Food & Drink', 'Travel',
  'Sport', 'Football', 'Cricket', 'Tennis', 'Athletics',
  'Cycling', 'Rugby', 'Basketball', 'Olympics', 'Motorsport',
  'Religion', 'Obituaries', 'Opinion', 'Analysis', 'Investigations',
  'Fact check', 'Explainer', 'Data', 'Photography', 'Race & Identity',
  'Disability', 'Q&A', 'R&D', 'M&A', 'Arts & Culture',
  'Science & Tech', 'Crime & Justice', 'Business & Finance', 'COVID-19', 'H5N1',
  // places
  "Côte d'Ivoire", 'São Tomé and Príncipe', 'Curaçao', 'Réunion', 'Türkiye',
  'Québec', 'Montréal', 'Zürich', 'Bogotá', 'Kraków',
  'Malmö', 'Reykjavík', 'Ukraine', 'Russia', 'China',
  'India', 'Japan', 'South Korea', 'North Korea', 'Taiwan',
  'Brazil', 'Argentina', 'Chile', 'Colombia', 'Nigeria',
  'Kenya', 'Ghana', 'Ethiopia', 'South Africa', 'Egypt',
  'Morocco', 'Israel', 'Iran', 'Iraq', 'Syria',
  'Saudi Arabia', 'Pakistan', 'Bangladesh', 'Indonesia', 'Philippines',
  'Vietnam', 'Australia', 'New Zealand', 'Canada', 'United States',
  'U.K.', 'France', 'Germany', 'Italy', 'Spain',
  'Poland', 'Greece', 'Ireland', 'Scotland', 'Wales',
  'Nordic countries', 'Balkans', 'Sahel', 'Middle East', 'Latin America',
  'Asia-Pacific', 'Africa', 'Europe', 'Arctic', 'Caribbean',
  // institutions and events
  'U.S. Congress', 'Supreme Court', 'Federal Reserve', 'E.U. Commission', 'WHO',
  'IMF', 'World Bank', 'G7', 'G20', 'OPEC',
  'COP30', 'Paris 2024', 'Milano Cortina 2026', 'St. Louis', 'Node.js',
];

const PLACES = [
  "Côte d'Ivoire", 'São Paulo', 'Zürich', 'Kraków', 'Montréal', 'Reykjavík', 'Bogotá',
  'Gdańsk', 'Malmö', 'Córdoba', 'Lisbon', 'Nairobi', 'Toronto', 'Osaka', 'Lyon',
  'Manchester', 'Porto', 'Accra', 'Lagos', 'Hanoi', 'Lima', 'Quito', 'Oslo', 'Seville',
  'Dakar', 'Auckland', 'Brisbane', 'Glasgow', 'Cork', 'Leipzig', 'Valencia', 'Abidjan',
  'Busan', 'Chennai', 'Cape Town', 'Marseille', 'Rotterdam', 'Tallinn', 'Vilnius',
  'Tbilisi', 'Almaty', 'Mombasa', 'Kigali', 'Windhoek', 'Perth', 'Halifax', 'Winnipeg',
  'Denver', 'Tucson', 'St. Louis', 'the capital', 'the northern province',
  'the coastal region', 'the eastern districts',
] as const;

/** [phrase, plural] — plural drives verb agreement in headlines. */
const SUBJECTS: readonly (readonly [string, boolean])[] = [
  ['the city council', false], ['the finance ministry', false], ['the central bank', false],
  ['regional officials', true], ['the health authority', false], ['the transport agency', false],
  ['the school board', false], ['the energy regulator', false], ['the opposition party', false],
  ['the ruling coalition', false], ['the port authority', false], ['the police department', false],
  ['the supreme court', false], ['the water utility', false], ['residents', true],
  ["the teachers' union", false], ['the national airline', false], ['the state broadcaster', false],
  ['the planning commission', false], ['the election commission', false],
  ['the environment agency', false], ['the housing department', false], ['local businesses', true],
  ["the mayor's office", false], ['the defence ministry', false], ['the university', false],
  ['hospital managers', true], ['the football club', false], ['researchers', true],
  ['farmers', true], ['the chamber of commerce', false], ['the trade ministry', false],
  ['the labour union', false], ['the prime minister', false], ['the president', false],
  ['the governor', false], ['the foreign minister', false], ['investors', true],
  ['regulators', true], ['prosecutors', true], ['the rail operator', false],
  ['lawmakers', true], ['the mining company', false], ['the tech giant', false],
];

/** [base, past] — past doubles as past participle, so irregulars with distinct participles are left out. */
const VERBS: readonly (readonly [string, string])[] = [
  ['approve', 'approved'], ['reject', 'rejected'], ['announce', 'announced'], ['delay', 'delayed'],
  ['expand', 'expanded'], ['review', 'reviewed'], ['challenge', 'challenged'], ['criticise', 'criticised'],
  ['defend', 'defended'], ['unveil', 'unveiled'], ['propose', 'proposed'], ['block', 'blocked'],
  ['back', 'backed'], ['cut', 'cut'], ['raise', 'raised'], ['extend', 'extended'],
  ['suspend', 'suspended'], ['launch', 'launched'], ['cancel', 'cancelled'], ['sign', 'signed'],
  ['confirm', 'confirmed'], ['question', 'questioned'], ['welcome', 'welcomed'], ['postpone', 'postponed'],
  ['overturn', 'overturned'], ['uphold', 'upheld'], ['double', 'doubled'], ['halve', 'halved'],
  ['examine', 'examined'], ['publish', 'published'], ['revise', 'revised'], ['restore', 'restored'],
  ['fund', 'funded'], ['scrap', 'scrapped'], ['target', 'targeted'], ['win', 'won'],
  ['lose', 'lost'], ['seek', 'sought'], ['boost', 'boosted'], ['overhaul', 'overhauled'],
  ['probe', 'probed'], ['weigh', 'weighed'], ['face', 'faced'], ['push', 'pushed'],
  ['fix', 'fixed'], ['finalise', 'finalised'], ['simplify', 'simplified'], ['tighten', 'tightened'],
];

const ADJECTIVES = [
  'new', 'local', 'national', 'regional', 'federal', 'public', 'private', 'major', 'small',
  'large', 'early', 'annual', 'final', 'initial', 'temporary', 'permanent', 'controversial',
  'long-awaited', 'ambitious', 'modest', 'sharp', 'steady', 'sudden', 'unexpected', 'record',
  'historic', 'independent', 'joint', 'rural', 'urban', 'coastal', 'northern', 'southern',
  'eastern', 'western', 'central', 'interim', 'emergency', 'costly', 'cheaper', 'stricter',
  'preliminary', 'detailed', 'wider', 'revised', 'multi-year', 'cross-border', 'digital',
  'green', 'low-cost', 'high-speed', 'disputed', 'bipartisan', 'overdue', 'sweeping', 'limited',
  'fresh', 'second', 'key', 'scaled-back',
] as const;

const MODIFIERS = [
  'housing', 'water', 'energy', 'transport', 'school', 'hospital', 'pension', 'tax', 'trade',
  'border', 'climate', 'flood', 'budget', 'rail', 'bus', 'airport', 'port', 'broadband',
  'policing', 'fishing', 'farm', 'tourism', 'mining', 'wind', 'solar', 'rent', 'fuel',
  'food', 'childcare', 'data', 'election', 'health', 'road', 'bridge', 'park', 'waste',
  'recycling', 'wage', 'visa', 'research', 'vaccine', 'stadium', 'museum', 'library',
] as const;

const HEADS = [
  'plan', 'budget', 'proposal', 'contract', 'deal', 'review', 'reform', 'policy', 'project',
  'code', 'ban', 'levy', 'subsidy', 'target', 'strategy', 'programme', 'scheme', 'inquiry',
  'agreement', 'overhaul', 'package', 'tender', 'report', 'audit', 'fund', 'pilot', 'network',
  'upgrade', 'freeze', 'cap',
] as const;

const NOUNS = [
  'budget', 'council', 'election', 'government', 'minister', 'policy', 'report', 'agency',
  'court', 'ruling', 'investigation', 'contract', 'market', 'economy', 'rate', 'price',
  'tariff', 'export', 'factory', 'worker', 'union', 'strike', 'wage', 'pension', 'hospital',
  'clinic', 'patient', 'doctor', 'nurse', 'school', 'teacher', 'student', 'university',
  'study', 'scientist', 'survey', 'poll', 'voter', 'campaign', 'candidate', 'party',
  'coalition', 'committee', 'hearing', 'bill', 'law', 'regulation', 'tax', 'bank', 'lender',
  'loan', 'bond', 'investor', 'shareholder', 'company', 'startup', 'firm', 'board', 'merger',
  'profit', 'loss', 'quarter', 'forecast', 'outlook', 'job', 'rent', 'mortgage', 'developer',
  'project', 'bridge', 'road', 'railway', 'airport', 'port', 'ship', 'fleet', 'pipeline',
  'grid', 'battery', 'flood', 'drought', 'storm', 'wildfire', 'heatwave', 'earthquake',
  'rescue', 'evacuation', 'shelter', 'charity', 'refugee', 'border', 'visa', 'officer',
  'suspect', 'trial', 'verdict', 'judge', 'prosecutor', 'lawyer', 'appeal', 'sentence',
  'prison', 'protest', 'rally', 'festival', 'museum', 'gallery', 'film', 'album', 'concert',
  'theatre', 'stadium', 'match', 'season', 'league', 'club', 'coach', 'player', 'team',
  'tournament', 'medal', 'satellite', 'rocket', 'mission', 'network', 'platform', 'app',
  'chip', 'device', 'outage', 'breach', 'hacker', 'vaccine', 'virus', 'outbreak', 'treatment',
  'drug', 'river', 'forest', 'farm', 'harvest', 'crop', 'supply', 'shortage', 'bus', 'train',
  'ticket', 'fare', 'commuter', 'hotel', 'visitor', 'city', 'village', 'region', 'province',
  'district', 'neighbourhood', 'resident', 'community', 'mayor', 'governor', 'spokesperson',
  'official', 'analyst', 'economist', 'expert', 'household', 'tenant', 'landlord', 'retailer',
  'supplier', 'contractor', 'engineer', 'pilot', 'passenger', 'driver', 'ferry', 'reservoir',
] as const;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

const TIME_PHRASES = [
  'last week', 'earlier this year', 'this month', 'in the third quarter', 'late on Tuesday',
  'over the weekend', 'in recent months', 'since the spring', 'by the end of the year',
  'for the first time', 'overnight', 'at a packed meeting', 'in a surprise move',
] as const;

const SOURCES = [
  'figures released on Thursday', 'a draft seen by reporters', 'the annual report',
  'people familiar with the matter', 'official data', 'a recent survey', 'court documents',
  'the latest estimates', 'internal emails', 'a parliamentary briefing',
] as const;

const SAYERS = [
  'officials said', 'a spokesperson said', 'analysts said', 'the ministry said in a statement',
  'campaigners said', 'the company said', 'according to local media', 'residents said',
] as const;

const ROLES = [
  'a senior economist', 'a spokesperson', 'a local resident', 'the head of research',
  'a union organiser', 'a former minister', 'a policy analyst', 'the project director',
  'a shop owner', 'a professor of public policy', 'the chief executive', 'a city councillor',
] as const;

const TITLE_PREFIXES = ['Analysis', 'Explainer', 'Live', 'Opinion', 'Exclusive', 'Fact check', 'Q&A'] as const;

const FIXED_HEADINGS = [
  'What Happens Next', 'Why It Matters', 'Background', 'By the Numbers', 'Reaction',
  'The Road Ahead', 'What Critics Say', 'Key Questions', 'How We Got Here', 'The Bigger Picture',
  'Local Impact', 'Money Matters', 'The Political Fallout', 'In Their Words', 'Timeline',
  'What Officials Say', 'A Closer Look', 'The Fine Print', 'Who Is Affected', 'Open Questions',
] as const;

const EXTERNAL_SECTIONS = ['reports', 'data', 'news', 'documents', 'policy', 'research', 'briefings'] as const;

const CORRECTION_TEMPLATES: readonly ((r: Rng) => string)[] = [
  (r) => `An earlier version of this article misstated the size of the ${pick(r, MODIFIERS)} ${pick(r, HEADS)}.`,
  (r) => `An earlier version of this article misspelled the name of ${pick(r, AUTHORS)}.`,
  (r) => `An earlier version of this article gave the wrong date for the ${pick(r, NOUNS)} vote in ${pick(r, PLACES)}.`,
  (r) => `An earlier version of this article incorrectly described ${stripArticle(pick(r, SUBJECTS)[0])} as "independent".`,
  (r) => `This article has been updated to correct a figure: the ${pick(r, HEADS)} is worth $${int(r, 2, 90)} million, not $${int(r, 100, 900)} million.`,
];

// ---------------------------------------------------------------------------
// Text helpers

const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'over', 'after', 'from']);

function cap(w: string): string {
  if (w.startsWith('"')) return '"' + cap(w.slice(1));
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** Title-cases dictionary words only; proper nouns like "d'Ivoire" must keep their casing. */
function titleCase(phrase: string, first: boolean): string {
  const words = phrase.split(' ');
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    words[i] = (first && i === 0) || !SMALL_WORDS.has(w) ? cap(w) : w;
  }
  return words.join(' ');
}

function indefinite(word: string): 'a' | 'an' {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function stripArticle(s: string): string {
  return s.replace(/^(the|a) /, '');
}

function thirdPerson(base: string): string {
  if (/(s|x|z|ch|sh)$/.test(base)) return base + 'es';
  if (/[^aeiou]y$/.test(base)) return base.slice(0, -1) + 'ies';
  return base + 's';
}

function plural(noun: string): string {
  if (/(s|x|z|ch|sh)$/.test(noun)) return noun + 'es';
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + 'ies';
  return noun + 's';
}

const WORD_COUNTS = new Map<string, number>();

function wordCount(phrase: string): number {
  if (phrase.indexOf(' ') === -1) return 1;
  let c = WORD_COUNTS.get(phrase);
  if (c === undefined) {
    c = phrase.split(' ').length;
    WORD_COUNTS.set(phrase, c);
  }
  return c;
}

/**
 * A run of text plus its word count. Tracking the count while appending keeps
 * body length exact without re-scanning ~80 MB of output, and plain string
 * concatenation (V8 ropes) avoids the token arrays that dominated GC time.
 */
class Words {
  s = '';
  n = 0;

  /** Capitalising the first phrase up front avoids flattening the finished rope. */
  constructor(private readonly capitalise = false) {}

  add(phrase: string, count: number = wordCount(phrase)): this {
    this.s = this.s === '' ? (this.capitalise ? cap(phrase) : phrase) : this.s + ' ' + phrase;
    this.n += count;
    return this;
  }

  /** Punctuation glued to the previous word; does not count as a word. */
  punct(p: string): this {
    this.s += p;
    return this;
  }
}

function objectPhrase(r: Rng): string {
  const head = pick(r, HEADS);
  const mod = pick(r, MODIFIERS);
  return chance(r, 0.6) ? `${pick(r, ADJECTIVES)} ${mod} ${head}` : `${mod} ${head}`;
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function slugify(title: string): string {
  // NFKD is comparatively slow and most headlines are plain ASCII.
  const folded = /[\u0080-\uffff]/.test(title) ? title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : title;
  const s = folded
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= 80) return s || 'article';
  // Cut at a hyphen so slugs never end mid-word.
  const cut = s.slice(0, 80);
  const at = cut.lastIndexOf('-');
  return at > 20 ? cut.slice(0, at) : cut.replace(/-+$/, '');
}

// ---------------------------------------------------------------------------
// Sentences

const SAYER_TAIL = 6;

function tail(r: Rng, w: Words, kind: number = int(r, 0, SAYER_TAIL)): void {
  switch (kind) {
    case 0: w.add('in', 1).add(pick(r, PLACES)); break;
    case 1: w.add('on', 1).add(pick(r, WEEKDAYS), 1); break;
    case 2: w.add(pick(r, TIME_PHRASES)); break;
    case 3: w.add('after', 1).add(String(int(r, 2, 18)), 1).add('months of negotiations', 3); break;
    case 4: w.add('despite objections from', 3).add(pick(r, SUBJECTS)[0]); break;
    case 5: w.add('according to', 2).add(pick(r, SOURCES)); break;
    default: w.punct(',').add(pick(r, SAYERS));
  }
}

/** Up to `max` distinct tails, attribution last so it never reads "officials said in Porto". */
function tails(r: Rng, w: Words, max: number): void {
  const n = int(r, 0, max);
  if (n === 0) return;
  const first = int(r, 0, SAYER_TAIL);
  if (n === 1) {
    tail(r, w, first);
    return;
  }
  const second = (first + int(r, 1, SAYER_TAIL)) % (SAYER_TAIL + 1);
  const [a, b] = first === SAYER_TAIL ? [second, first] : [first, second];
  tail(r, w, a);
  tail(r, w, b);
}

/**
 * Appends "[adjective] modifier head". In body text (`s` given) the phrase is
 * the natural anchor for a link, or occasionally gets emphasis.
 */
function addObject(r: Rng, w: Words, s: BodyState | undefined, det: 'the' | 'a'): void {
  const adj = chance(r, 0.6) ? pick(r, ADJECTIVES) : undefined;
  const mod = pick(r, MODIFIERS);
  const rest = `${mod} ${pick(r, HEADS)}`;
  const count = adj === undefined ? 2 : 3;
  w.add(det === 'a' ? indefinite(adj ?? mod) : det, 1);
  if (s !== undefined && adj !== undefined && chance(r, 0.04)) {
    w.add(`${chance(r, 0.5) ? `*${adj}*` : `**${adj}**`} ${rest}`, count);
    return;
  }
  const text = adj === undefined ? rest : `${adj} ${rest}`;
  const url = s === undefined ? undefined : linkUrl(s);
  w.add(url === undefined ? text : `[${text}](${url})`, count);
}

/** One sentence, first letter capitalised, closing punctuation attached. */
function sentence(r: Rng, s?: BodyState): Words {
  const w = new Words(true);
  switch (int(r, 0, 9)) {
    case 0:
    case 1:
    case 2: {
      w.add(pick(r, SUBJECTS)[0]).add(pick(r, VERBS)[1], 1);
      addObject(r, w, s, chance(r, 0.5) ? 'the' : 'a');
      tails(r, w, 2);
      break;
    }
    case 3: {
      w.add(pick(r, SUBJECTS)[0]).add('said', 1).add(pick(r, SUBJECTS)[0]);
      w.add('would', 1).add(pick(r, VERBS)[0], 1);
      addObject(r, w, s, 'the');
      tails(r, w, 1);
      break;
    }
    case 4: {
      w.add('the number of', 3).add(plural(pick(r, NOUNS)), 1).add(chance(r, 0.5) ? 'rose' : 'fell', 1);
      w.add('by', 1).add(String(int(r, 2, 48)), 1).add('percent', 1);
      tails(r, w, 1);
      break;
    }
    case 5: {
      w.add(pick(r, TIME_PHRASES)).punct(',').add(pick(r, SUBJECTS)[0]).add(pick(r, VERBS)[1], 1);
      addObject(r, w, s, 'the');
      break;
    }
    case 6: {
      w.add('"We will', 2).add(pick(r, VERBS)[0], 1);
      addObject(r, w, undefined, 'the');
      tails(r, w, 1);
      w.punct(',"').add('said', 1).add(pick(r, AUTHORS)).punct(',').add(pick(r, ROLES));
      break;
    }
    case 7: {
      w.add('the', 1).add(pick(r, MODIFIERS), 1).add(pick(r, HEADS), 1).add('will cost an estimated', 4);
      w.add(`$${int(r, 2, 95)}.${int(r, 1, 9)}`, 1).add(chance(r, 0.7) ? 'million' : 'billion', 1);
      tails(r, w, 1);
      break;
    }
    case 8: {
      w.add('critics say', 2);
      addObject(r, w, s, 'the');
      w.add('could', 1).add(pick(r, VERBS)[0], 1);
      addObject(r, w, s, 'the');
      tails(r, w, 1);
      break;
    }
    default: {
      w.add('it is the', 3).add(pick(r, ['second', 'third', 'fourth', 'fifth']), 1).add('time this year that', 4);
      const [subject, isPlural] = pick(r, SUBJECTS);
      w.add(subject).add(isPlural ? 'have' : 'has', 1).add(pick(r, VERBS)[1], 1);
      addObject(r, w, s, 'a');
    }
  }
  // Quotes end in `,"` mid-sentence; everywhere else a full stop closes the sentence.
  if (!w.s.endsWith(',"')) w.s = (w.s.endsWith(',') ? w.s.slice(0, -1) : w.s) + '.';
  return w;
}

// ---------------------------------------------------------------------------
// Article metadata (pass 1)

interface ImageSpec {
  src: string;
  alt: string;
  caption: string;
  credit: string;
  width: number;
  height: number;
  style: 0 | 1 | 2;
  from: number;
  to: number;
}

interface Correction {
  day: string;
  text: string;
}

interface ArticleMeta {
  index: number;
  title: string;
  slug: string;
  date: number;
  authors: string[];
  publisher: string | undefined;
  summary: string | undefined;
  tags: string[];
  id: string;
  updated: number | undefined;
  image: ImageSpec | undefined;
  corrections: Correction[];
}

const DATE_START = Date.UTC(2023, 0, 1);
// Leave two days before 2026-01-01 so `updated` and correction days can still fall after `date`.
const DATE_END = Date.UTC(2025, 11, 30);
const LAST_DAY = Date.UTC(2025, 11, 31);
const UPDATED_END = Date.UTC(2025, 11, 31, 23, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;

function headline(r: Rng): string {
  const [subject, isPlural] = pick(r, SUBJECTS);
  const [base] = pick(r, VERBS);
  const verb = isPlural ? base : thirdPerson(base);
  const subj = titleCase(stripArticle(subject), true);
  switch (int(r, 0, 7)) {
    case 0:
    case 1:
      return `${subj} ${titleCase(verb, false)} ${titleCase(objectPhrase(r), false)} in ${pick(r, PLACES).replace(/^the /, '')}`;
    case 2:
      return `${subj} ${titleCase(verb, false)} ${titleCase(objectPhrase(r), false)} After ${titleCase(pick(r, NOUNS), false)} ${titleCase(pick(r, ['row', 'talks', 'vote', 'delays', 'protests']), false)}`;
    case 3:
      return `${pick(r, TITLE_PREFIXES)}: ${subj} ${titleCase(verb, false)} ${titleCase(objectPhrase(r), false)}`;
    case 4:
      return `Will ${subj} ${titleCase(base, false)} the ${titleCase(objectPhrase(r), false)}?`;
    case 5:
      return `${subj} ${isPlural ? 'Call' : 'Calls'} ${titleCase(`${pick(r, MODIFIERS)} ${pick(r, HEADS)}`, false)} "${cap(pick(r, ['unworkable', 'overdue', 'reckless', 'a first step', 'unfair', 'a turning point']))}"`;
    case 6:
      return `${titleCase(plural(pick(r, NOUNS)), true)} ${pick(r, ['Rise', 'Fall', 'Jump', 'Slip'])} ${int(r, 2, 60)}% in ${pick(r, PLACES).replace(/^the /, '')} as ${titleCase(objectPhrase(r), false)} Takes Effect`;
    default:
      return `${pick(r, PLACES).replace(/^the /, (m) => cap(m))}'s ${titleCase(objectPhrase(r), false)} Faces ${titleCase(pick(r, ADJECTIVES), false)} ${titleCase(pick(r, ['scrutiny', 'delays', 'backlash', 'legal challenge', 'budget shortfall']), false)}`;
  }
}

function uuidV4(r: Rng): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += Math.floor(r() * 4294967296).toString(16).padStart(8, '0');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function summaryText(r: Rng): string {
  let s = sentence(r).s;
  if (s.length > 300) s = s.slice(0, s.lastIndexOf(' ', 296)).replace(/[,"]+$/, '') + '.';
  return s;
}

const IMAGE_SIZES: readonly (readonly [number, number])[] = [[1200, 675], [1200, 675], [1600, 900], [1080, 1080], [800, 600]];
// Fixed pairs rather than free combinations keep the number of distinct PNGs
// (and so the deflate work behind the encode cache) under a hundred.
const COLOUR_PAIRS: readonly { from: number; to: number }[] = [
  { from: 0x1f3b57, to: 0x6fa3c7 }, { from: 0x8c2d19, to: 0xe0a060 }, { from: 0x2e6b3f, to: 0xa8d5a2 },
  { from: 0xd9a441, to: 0x8c2d19 }, { from: 0x5b4a8a, to: 0xc9b8e8 }, { from: 0x0f7c8c, to: 0x1f3b57 },
  { from: 0x3a3a3a, to: 0xdddddd }, { from: 0xc8553d, to: 0xf2d0a4 },
];

function buildMeta(n: number, seed: number): ArticleMeta[] {
  const r = mulberry32(seed);
  const titles = new Set<string>();
  const slugs = new Set<string>();
  const metas: ArticleMeta[] = [];
  for (let index = 0; index < n; index++) {
    let title = '';
    for (let attempt = 0; ; attempt++) {
      title = headline(r);
      const words = title.split(' ').length;
      if (words >= 4 && words <= 14 && !titles.has(title.toLowerCase())) break;
      if (attempt > 10_000) throw new Error('could not find a unique headline');
    }
    titles.add(title.toLowerCase());
    const base = slugify(title);
    let slug = base;
    for (let k = 2; slugs.has(slug); k++) slug = `${base}-${k}`;
    slugs.add(slug);

    const date = DATE_START + int(r, 0, (DATE_END - DATE_START) / (5 * MINUTE) - 1) * 5 * MINUTE;
    const authors = chance(r, 0.2) ? pickDistinct(r, AUTHORS, 2) : [pick(r, AUTHORS)];
    const publisher = chance(r, 0.3) ? pick(r, PUBLISHERS) : undefined;
    const summary = chance(r, 0.7) ? summaryText(r) : undefined;
    const tags = pickDistinct(r, TAGS, int(r, 0, 5));
    const id = `urn:uuid:${uuidV4(r)}`;
    const updated = chance(r, 0.05)
      ? date + int(r, 60, Math.min(30 * 24 * 60, (UPDATED_END - date) / MINUTE)) * MINUTE
      : undefined;

    let image: ImageSpec | undefined;
    if (chance(r, 0.1)) {
      const [width, height] = pick(r, IMAGE_SIZES);
      const adj = pick(r, ADJECTIVES);
      image = {
        src: `/images/gen/${slug}.png`,
        alt: `${cap(indefinite(adj))} ${adj} ${pick(r, NOUNS)} in ${pick(r, PLACES)}`,
        caption: sentence(r).s,
        credit: `Photo by ${pick(r, AUTHORS)} / ${pick(r, PHOTO_AGENCIES)}`,
        width,
        height,
        style: pick(r, [0, 1, 2] as const),
        ...pick(r, COLOUR_PAIRS),
      };
    }

    const corrections: Correction[] = [];
    if (chance(r, 0.05)) {
      const dayStart = date - (date % DAY);
      const avail = (LAST_DAY - dayStart) / DAY;
      const first = int(r, 1, Math.min(90, avail));
      corrections.push({ day: isoDay(dayStart + first * DAY), text: pick(r, CORRECTION_TEMPLATES)(r) });
      if (first < avail && chance(r, 0.4)) {
        const second = int(r, first + 1, Math.min(first + 30, avail));
        corrections.push({ day: isoDay(dayStart + second * DAY), text: pick(r, CORRECTION_TEMPLATES)(r) });
      }
    }

    metas.push({ index, title, slug, date, authors, publisher, summary, tags, id, updated, image, corrections });
  }
  return metas;
}

function frontMatter(m: ArticleMeta): string {
  const q = JSON.stringify;
  const lines = ['---', `title: ${q(m.title)}`, `date: ${isoMinute(m.date)}`];
  const [first] = m.authors;
  lines.push(m.authors.length === 1 && first !== undefined ? `author: ${q(first)}` : `author: [${m.authors.map((a) => q(a)).join(', ')}]`);
  if (m.publisher !== undefined) lines.push(`publisher: ${q(m.publisher)}`);
  if (m.summary !== undefined) lines.push(`summary: ${q(m.summary)}`);
  if (m.tags.length > 0) lines.push(`tags: [${m.tags.map((t) => q(t)).join(', ')}]`);
  lines.push(`slug: ${q(m.slug)}`, `id: ${q(m.id)}`);
  if (m.updated !== undefined) lines.push(`updated: ${isoMinute(m.updated)}`);
  if (m.image !== undefined) {
    const i = m.image;
    lines.push(`image: {src: ${q(i.src)}, alt: ${q(i.alt)}, caption: ${q(i.caption)}, credit: ${q(i.credit)}}`);
  }
  if (m.corrections.length > 0) {
    lines.push(`corrections: [${m.corrections.map((c) => `{date: ${c.day}, text: ${q(c.text)}}`).join(', ')}]`);
  }
  lines.push('---', '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Article body (pass 2)

const MIN_WORDS = 300;
// Blocks stop once the target is reached, so the real count can overshoot by
// one sentence plus an optional "related" section; 1400 keeps that under 1500.
const MAX_TARGET = 1400;

interface BodyState {
  r: Rng;
  words: number;
  target: number;
  internal: number;
  external: number;
  self: number;
  all: readonly ArticleMeta[];
}

function internalTarget(s: BodyState): ArticleMeta | undefined {
  if (s.all.length < 2) return undefined;
  let j = Math.floor(s.r() * (s.all.length - 1));
  if (j >= s.self) j++;
  return s.all[j];
}

function externalUrl(r: Rng): string {
  const base = `https://example.org/${pick(r, EXTERNAL_SECTIONS)}/${int(r, 2019, 2025)}/${pick(r, MODIFIERS)}-${pick(r, HEADS)}`;
  const v = int(r, 0, 5);
  return v === 0 ? `${base}#findings` : v === 1 ? `${base}?page=${int(r, 2, 9)}` : base;
}

/** Spends the article's link budget a little at a time so links spread through the text. */
function linkUrl(s: BodyState): string | undefined {
  const r = s.r;
  if ((s.internal === 0 && s.external === 0) || !chance(r, 0.12)) return undefined;
  if (s.internal > 0 && (s.external === 0 || chance(r, 0.5))) {
    const target = internalTarget(s);
    if (target !== undefined) {
      s.internal--;
      return `/articles/${target.slug}/`;
    }
  }
  if (s.external === 0) return undefined;
  s.external--;
  return externalUrl(r);
}

function paragraph(s: BodyState, min: number, max: number): string {
  const n = int(s.r, min, max);
  let out = '';
  for (let i = 0; i < n && s.words < s.target; i++) {
    const w = sentence(s.r, s);
    s.words += w.n;
    out = out === '' ? w.s : out + ' ' + w.s;
  }
  return out;
}

function listItem(s: BodyState, numbered: boolean): Words {
  const r = s.r;
  if (!numbered && chance(r, 0.5)) return sentence(r, s);
  const w = new Words();
  if (numbered) {
    w.add(cap(pick(r, VERBS)[0]), 1);
    addObject(r, w, s, 'the');
    if (chance(r, 0.5)) tail(r, w);
  } else {
    w.add(cap(pick(r, ADJECTIVES)), 1).add(plural(pick(r, NOUNS)), 1).add('for', 1).add(pick(r, PLACES));
  }
  if (w.s.endsWith(',')) w.s = w.s.slice(0, -1);
  return w;
}

function list(s: BodyState, numbered: boolean): string {
  const r = s.r;
  const lead = new Words(true).add(pick(r, SUBJECTS)[0]).add(pick(r, ['outlined', 'listed', 'set out', 'proposed']));
  lead.add('the following', 2).add(pick(r, ['measures:', 'steps:', 'changes:', 'priorities:']), 1);
  s.words += lead.n;
  let out = lead.s + '\n';
  const n = int(r, 3, 6);
  for (let i = 0; i < n && s.words < s.target; i++) {
    const w = listItem(s, numbered);
    s.words += w.n;
    out += `\n${numbered ? `${i + 1}.` : '-'} ${w.s}`;
  }
  return out;
}

function blockquote(s: BodyState): string {
  const r = s.r;
  const lines: string[] = [];
  const n = int(r, 1, 2);
  for (let i = 0; i < n && s.words < s.target; i++) {
    if (i > 0) lines.push('>');
    const w = sentence(r);
    s.words += w.n;
    lines.push(`> ${w.s}`);
  }
  if (chance(r, 0.5)) {
    const who = new Words().add('—', 1).add(pick(r, AUTHORS)).punct(',').add(pick(r, ROLES));
    s.words += who.n;
    lines.push('>', `> ${who.s}`);
  }
  return lines.join('\n');
}

function heading(s: BodyState, used: Set<string>): string {
  const r = s.r;
  let h = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    switch (int(r, 0, 3)) {
      case 0:
      case 1: h = pick(r, FIXED_HEADINGS); break;
      case 2: h = `The ${titleCase(objectPhrase(r), false)} Question`; break;
      default: h = `Voices from ${pick(r, PLACES).replace(/^the /, '')}`;
    }
    if (!used.has(h)) break;
  }
  used.add(h);
  s.words += h.split(' ').length;
  return `${chance(r, 0.1) && used.size > 1 ? '###' : '##'} ${h}`;
}

function body(meta: ArticleMeta, all: readonly ArticleMeta[], seed: number): string {
  // A per-article stream keeps body text independent of write scheduling.
  const r = mulberry32((seed ^ Math.imul(meta.index + 1, 0x9e3779b1)) >>> 0);
  const s: BodyState = {
    r,
    words: 0,
    target: int(r, MIN_WORDS, MAX_TARGET),
    internal: int(r, 0, 5),
    external: int(r, 0, 4),
    self: meta.index,
    all,
  };
  const blocks: string[] = [paragraph(s, 2, 3)];
  if (chance(r, 0.5)) blocks.push(paragraph(s, 1, 3));
  const used = new Set<string>();
  while (s.words < s.target) {
    blocks.push(heading(s, used));
    blocks.push(paragraph(s, 2, 5));
    const extra = int(r, 0, 3);
    for (let i = 0; i < extra && s.words < s.target; i++) {
      const k = r();
      if (k < 0.6) blocks.push(paragraph(s, 2, 6));
      else if (k < 0.72) blocks.push(list(s, false));
      else if (k < 0.82) blocks.push(list(s, true));
      else blocks.push(blockquote(s));
    }
  }
  if (all.length > 1 && chance(r, 0.3)) {
    blocks.push('## Related Coverage');
    const related: string[] = [];
    const seen = new Set<number>();
    for (let i = int(r, 1, 3); i > 0; i--) {
      const t = internalTarget(s);
      if (t === undefined || seen.has(t.index)) continue;
      seen.add(t.index);
      related.push(`- [${t.title}](/articles/${t.slug}/)`);
    }
    blocks.push(related.join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}

// ---------------------------------------------------------------------------
// PNG

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** 8-bit RGB PNG: style 0 solid, 1 vertical gradient, 2 horizontal gradient. */
export function encodePng(width: number, height: number, style: 0 | 1 | 2, from: number, to: number): Buffer {
  const stride = 1 + width * 3;
  const mix = (t: number, shift: number): number =>
    Math.round(((from >> shift) & 0xff) * (1 - t) + ((to >> shift) & 0xff) * t);
  // PNG filters turn these images into almost-all-zero scanlines, so only a few
  // bytes per row are written instead of filling ~2.4 MB pixel by pixel.
  const raw = Buffer.alloc(stride * height);
  if (style === 2) {
    // Row 0 uses Sub (each byte stores the delta from the pixel to its left);
    // every later row uses Up with all-zero deltas, i.e. "same as the row above".
    raw[0] = 1;
    let prev = 0;
    for (let x = 0; x < width; x++) {
      const t = width > 1 ? x / (width - 1) : 0;
      const c = (mix(t, 16) << 16) | (mix(t, 8) << 8) | mix(t, 0);
      const o = 1 + x * 3;
      raw[o] = (((c >> 16) & 0xff) - ((prev >> 16) & 0xff)) & 0xff;
      raw[o + 1] = (((c >> 8) & 0xff) - ((prev >> 8) & 0xff)) & 0xff;
      raw[o + 2] = ((c & 0xff) - (prev & 0xff)) & 0xff;
      prev = c;
    }
    for (let y = 1; y < height; y++) raw[y * stride] = 2;
  } else {
    // Sub filter per row: the first pixel carries the colour, zero deltas repeat it across.
    for (let y = 0; y < height; y++) {
      const t = style === 1 && height > 1 ? y / (height - 1) : 0;
      const o = y * stride;
      raw[o] = 1;
      raw[o + 1] = mix(t, 16);
      raw[o + 2] = mix(t, 8);
      raw[o + 3] = mix(t, 0);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    // Run-length matching is all zero runs need: ~1 ms per frame versus ~10 ms for the default lazy search.
    chunk('IDAT', deflateSync(raw, { level: 9, strategy: zlibConstants.Z_RLE })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------
// Driver

const CONCURRENCY = 64;

async function assertEmptyDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return;
    throw err;
  }
  if (entries.length > 0) throw new Error(`${dir} is not empty; remove it or choose a new directory`);
}

export async function generateCorpus(
  n: number,
  dir: string,
  seed: number = DEFAULT_SEED,
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`article count must be a positive integer, got ${n}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in 0..4294967295, got ${seed}`);
  await assertEmptyDir(dir);
  await mkdir(dir, { recursive: true });
  const imageDir = options.publicDir === undefined ? undefined : join(options.publicDir, 'images', 'gen');
  if (imageDir !== undefined) await mkdir(imageDir, { recursive: true });

  const metas = buildMeta(n, seed);
  // Sizes x styles x colour pairs give under a hundred distinct images, so each is encoded once.
  const pngCache = new Map<string, Buffer>();
  let images = 0;
  let next = 0;
  let failed = false;

  const writeOne = async (meta: ArticleMeta): Promise<void> => {
    await writeFile(join(dir, `${meta.slug}.md`), frontMatter(meta) + '\n' + body(meta, metas, seed));
    const img = meta.image;
    if (img === undefined || imageDir === undefined) return;
    const key = `${img.width}x${img.height}:${img.style}:${img.from}:${img.to}`;
    let png = pngCache.get(key);
    if (png === undefined) {
      png = encodePng(img.width, img.height, img.style, img.from, img.to);
      pngCache.set(key, png);
    }
    await writeFile(join(imageDir, `${meta.slug}.png`), png);
    images++;
  };

  const worker = async (): Promise<void> => {
    // Once one write fails the call rejects; the other workers stop rather than keep writing behind it.
    while (next < metas.length && !failed) {
      const meta = metas[next++];
      if (meta === undefined) break;
      try {
        await writeOne(meta);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
  return { articles: n, images };
}

// ---------------------------------------------------------------------------
// CLI

const USAGE = 'usage: npm run gen -- <N> <dir> [--seed S] [--public <publicDir>]';

interface CliArgs {
  n: number;
  dir: string;
  seed: number;
  publicDir: string | undefined;
}

function parseArgs(argv: readonly string[]): CliArgs | string {
  const positional: string[] = [];
  let seed = DEFAULT_SEED;
  let publicDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === '--seed' || name === '--public') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${name} needs a value`;
      if (name === '--seed') {
        if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) return `--seed must be an integer in 0..4294967295, got "${value}"`;
        seed = Number(value);
      } else {
        publicDir = value;
      }
    } else if (arg.startsWith('-') && !/^-\d/.test(arg)) {
      return `unknown option "${arg}"`;
    } else {
      positional.push(arg);
    }
  }
  const [count, dir] = positional;
  if (positional.length !== 2 || count === undefined || dir === undefined) return 'expected exactly two arguments: <N> <dir>';
  if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 1_000_000) return `<N> must be an integer in 1..1000000, got "${count}"`;
  return { n: Number(count), dir, seed, publicDir };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(`gen: ${args}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  const started = performance.now();
  try {
    const res = await generateCorpus(args.n, args.dir, args.seed, { publicDir: args.publicDir });
    const ms = Math.round(performance.now() - started);
    console.log(`wrote ${res.articles} articles (${res.images} images) to ${resolve(args.dir)} in ${ms} ms`);
  } catch (err) {
    console.error(`gen: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  if (import.meta.url === pathToFileURL(script).href) return true;
  try {
    // Symlinked checkouts or temp dirs make argv[1] differ from the resolved module URL.
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
