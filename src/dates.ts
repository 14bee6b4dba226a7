// Dates in front matter are calendar dates or date-times with an explicit offset.
// A calendar date means midnight in SITE_TIMEZONE; everything is displayed in that zone.

export interface SiteDate {
  /** The instant, in ms since the epoch. */
  readonly ms: number;
  /** True when the editor wrote a calendar date without a time. */
  readonly dateOnly: boolean;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(tz, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// formatToParts costs tens of microseconds and the same dates recur on many pages (article, listings,
// feeds): remember recent answers. Bounded, so a long-running server's memory does not grow.
const wallClocks = new Map<string, WallClock>();
const WALL_CLOCK_MEMO = 50_000;

function wallClock(ms: number, tz: string): WallClock {
  const key = `${tz}|${ms}`;
  let w = wallClocks.get(key);
  if (w === undefined) {
    if (wallClocks.size >= WALL_CLOCK_MEMO) wallClocks.clear();
    w = computeWallClock(ms, tz);
    wallClocks.set(key, w);
  }
  return w;
}

function computeWallClock(ms: number, tz: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (e.g. +60 for Paris in winter). */
export function tzOffsetMinutes(ms: number, tz: string): number {
  // The default zone has no offset to look up (an export of 4,000 articles asked Intl for 2,000 days).
  if (tz === 'UTC' && Number.isFinite(ms)) return 0;
  const w = wallClock(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant at which the wall clock in `tz` shows the given local time. */
export function zonedToInstant(year: number, month: number, day: number, tz: string, hour = 0, minute = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let ms = guess - tzOffsetMinutes(guess, tz) * 60_000;
  // A second pass settles instants near a DST change.
  ms = guess - tzOffsetMinutes(ms, tz) * 60_000;
  return ms;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Parses a front matter date; returns undefined when it is not a valid ISO 8601 date or date-time with offset. */
export function parseSiteDate(raw: string, tz: string): SiteDate | undefined {
  const s = raw.trim();
  const d = DATE_RE.exec(s);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (!validDay(y, m, day)) return undefined;
    return { ms: zonedToInstant(y, m, day, tz), dateOnly: true };
  }
  const t = DATETIME_RE.exec(s);
  if (!t) return undefined;
  const [y, m, day, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i] ?? 0)) as [number, number, number, number, number, number];
  if (!validDay(y, m, day) || hh > 23 || mm > 59 || ss > 59) return undefined;
  const frac = t[7] ? Number(`0.${t[7]}`) * 1000 : 0;
  const zone = t[8] ?? 'Z';
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return undefined;
    const oh = Number(z[2]);
    const om = Number(z[3]);
    if (oh > 23 || om > 59) return undefined;
    offset = (z[1] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return { ms: Date.UTC(y, m - 1, day, hh, mm, ss) + Math.round(frac) - offset * 60_000, dateOnly: false };
}

const longFormatters = new Map<string, Intl.DateTimeFormat>();
/** "March 22, 2024" (in the site's language and zone). */
export function formatLongDate(ms: number, tz: string, lang: string): string {
  const key = `${tz}|${lang}`;
  let f = longFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone: tz, year: 'numeric', month: 'long', day: 'numeric' });
    longFormatters.set(key, f);
  }
  return f.format(new Date(ms));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2024-03-22": the calendar date in the site's zone. */
export function isoDate(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** "2024-03-22T00:00:00+01:00": full date-time with the zone's offset at that instant. */
export function isoDateTime(ms: number, tz: string): string {
  const w = wallClock(ms, tz);
  const off = tzOffsetMinutes(ms, tz);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The value for a `<time datetime>`: the calendar date when the editor gave one, else the full date-time. */
export function machineDate(d: SiteDate, tz: string): string {
  return d.dateOnly ? isoDate(d.ms, tz) : isoDateTime(d.ms, tz);
}

/** RFC 1123 date for HTTP headers and RSS. */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}
