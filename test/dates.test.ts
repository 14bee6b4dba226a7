import { describe, expect, it } from 'vitest';
import { formatLongDate, httpDate, isoDate, isoDateTime, machineDate, parseSiteDate, tzOffsetMinutes, zonedToInstant } from '../src/dates.js';

const utc = (iso: string): number => Date.parse(iso);

describe('parseSiteDate', () => {
  it('reads a calendar date as midnight in UTC', () => {
    expect(parseSiteDate('2024-03-22', 'UTC')).toEqual({ ms: utc('2024-03-22T00:00:00Z'), dateOnly: true });
  });

  it('reads a calendar date as midnight in the site time zone', () => {
    expect(parseSiteDate('2024-03-22', 'America/New_York')).toEqual({ ms: utc('2024-03-22T04:00:00Z'), dateOnly: true });
    expect(parseSiteDate('2024-03-22', 'Asia/Tokyo')).toEqual({ ms: utc('2024-03-21T15:00:00Z'), dateOnly: true });
    expect(parseSiteDate('2024-01-15', 'America/New_York')).toEqual({ ms: utc('2024-01-15T05:00:00Z'), dateOnly: true });
    expect(parseSiteDate('2024-03-22', 'Asia/Kolkata')).toEqual({ ms: utc('2024-03-21T18:30:00Z'), dateOnly: true });
  });

  it('finds midnight on the days the clocks change', () => {
    // New York springs forward at 02:00 on 2024-03-10 and falls back at 02:00 on 2024-11-03: midnight is before both.
    expect(parseSiteDate('2024-03-10', 'America/New_York')?.ms).toBe(utc('2024-03-10T05:00:00Z'));
    expect(parseSiteDate('2024-11-03', 'America/New_York')?.ms).toBe(utc('2024-11-03T04:00:00Z'));
    expect(parseSiteDate('2024-03-31', 'Europe/London')?.ms).toBe(utc('2024-03-31T00:00:00Z'));
    expect(parseSiteDate('2024-10-27', 'Europe/London')?.ms).toBe(utc('2024-10-26T23:00:00Z'));
  });

  it('reads date-times with an explicit offset, whatever the site zone', () => {
    expect(parseSiteDate('2024-03-22T09:30:00+01:00', 'Asia/Tokyo')).toEqual({ ms: utc('2024-03-22T08:30:00Z'), dateOnly: false });
    expect(parseSiteDate('2024-03-22T09:30:00Z', 'America/New_York')).toEqual({ ms: utc('2024-03-22T09:30:00Z'), dateOnly: false });
    expect(parseSiteDate('2024-03-22T09:30Z', 'UTC')?.ms).toBe(utc('2024-03-22T09:30:00Z'));
    expect(parseSiteDate('2024-03-22 09:30:00-05:00', 'UTC')?.ms).toBe(utc('2024-03-22T14:30:00Z'));
    expect(parseSiteDate('2024-03-22T09:30:00+0530', 'UTC')?.ms).toBe(utc('2024-03-22T04:00:00Z'));
    expect(parseSiteDate('2024-03-22T09:30:00.250+00:00', 'UTC')?.ms).toBe(utc('2024-03-22T09:30:00.250Z'));
    expect(parseSiteDate('2024-03-22t09:30:00z', 'UTC')?.ms).toBe(utc('2024-03-22T09:30:00Z'));
    expect(parseSiteDate('  2024-03-22  ', 'UTC')?.ms).toBe(utc('2024-03-22T00:00:00Z'));
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseSiteDate('2024-02-29', 'UTC')?.ms).toBe(utc('2024-02-29T00:00:00Z'));
  });

  it.each([
    '2024-13-45',
    '2023-02-29',
    '2024-02-30',
    '2024-04-31',
    '2024-00-10',
    '2024-03-00',
    '2024-3-22',
    '22/03/2024',
    'March 22, 2024',
    '2024-03-22T09:30:00',
    '2024-03-22T24:00:00Z',
    '2024-03-22T09:60:00Z',
    '2024-03-22T09:30:60Z',
    '2024-03-22T09:30:00+24:00',
    '2024-03-22T09:30:00+01:60',
    '',
    'yesterday',
  ])('refuses %j', (raw) => {
    expect(parseSiteDate(raw, 'UTC')).toBeUndefined();
  });
});

describe('zonedToInstant and tzOffsetMinutes', () => {
  it('converts a wall-clock time in a zone to an instant', () => {
    expect(zonedToInstant(2024, 3, 22, 'Europe/Paris', 9, 30)).toBe(utc('2024-03-22T08:30:00Z'));
    expect(zonedToInstant(2024, 7, 1, 'Europe/Paris')).toBe(utc('2024-06-30T22:00:00Z'));
  });

  it('gives the zone offset at an instant', () => {
    expect(tzOffsetMinutes(utc('2024-01-01T12:00:00Z'), 'Europe/Paris')).toBe(60);
    expect(tzOffsetMinutes(utc('2024-07-01T12:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(tzOffsetMinutes(utc('2024-07-01T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(tzOffsetMinutes(utc('2024-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(tzOffsetMinutes(utc('2024-07-01T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('answers UTC without Intl, as Intl answers it (Etc/UTC takes the Intl path)', () => {
    for (const iso of ['1901-12-13T20:45:52Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '2024-03-31T01:30:00Z', '2038-01-19T03:14:08Z', '9999-12-31T23:59:59Z']) {
      expect(tzOffsetMinutes(utc(iso), 'UTC'), iso).toBe(tzOffsetMinutes(utc(iso), 'Etc/UTC'));
    }
    expect(() => tzOffsetMinutes(Number.NaN, 'UTC')).toThrow(RangeError);
  });
});

describe('formatting', () => {
  const midnightUtc = utc('2024-03-22T00:00:00Z');

  it('formats the long date readers see', () => {
    expect(formatLongDate(midnightUtc, 'UTC', 'en')).toBe('March 22, 2024');
    expect(formatLongDate(utc('2024-03-21T15:00:00Z'), 'Asia/Tokyo', 'en')).toBe('March 22, 2024');
    // The same instant is still the 21st in New York.
    expect(formatLongDate(midnightUtc, 'America/New_York', 'en')).toBe('March 21, 2024');
    expect(formatLongDate(midnightUtc, 'UTC', 'fr')).toBe('22 mars 2024');
  });

  it('gives the calendar date in the zone', () => {
    expect(isoDate(midnightUtc, 'UTC')).toBe('2024-03-22');
    expect(isoDate(midnightUtc, 'America/New_York')).toBe('2024-03-21');
    expect(isoDate(utc('2024-03-21T15:00:00Z'), 'Asia/Tokyo')).toBe('2024-03-22');
  });

  it('gives full date-times with the zone offset at that instant', () => {
    expect(isoDateTime(midnightUtc, 'UTC')).toBe('2024-03-22T00:00:00+00:00');
    expect(isoDateTime(midnightUtc, 'Europe/Paris')).toBe('2024-03-22T01:00:00+01:00');
    expect(isoDateTime(utc('2024-07-01T00:00:00Z'), 'Europe/Paris')).toBe('2024-07-01T02:00:00+02:00');
    expect(isoDateTime(midnightUtc, 'America/New_York')).toBe('2024-03-21T20:00:00-04:00');
    expect(isoDateTime(midnightUtc, 'Asia/Kolkata')).toBe('2024-03-22T05:30:00+05:30');
    expect(isoDateTime(utc('2024-03-21T15:00:00Z'), 'Asia/Tokyo')).toBe('2024-03-22T00:00:00+09:00');
    expect(isoDateTime(midnightUtc, 'America/St_Johns')).toBe('2024-03-21T21:30:00-02:30');
  });

  it('uses the calendar date in <time datetime> when the editor wrote one', () => {
    const tz = 'Asia/Tokyo';
    expect(machineDate(parseSiteDate('2024-03-22', tz)!, tz)).toBe('2024-03-22');
    expect(machineDate(parseSiteDate('2024-03-22T09:30:00+01:00', tz)!, tz)).toBe('2024-03-22T17:30:00+09:00');
  });

  it('formats HTTP dates in GMT, dropping milliseconds', () => {
    expect(httpDate(midnightUtc)).toBe('Fri, 22 Mar 2024 00:00:00 GMT');
    expect(httpDate(utc('2024-03-22T09:30:00.999Z'))).toBe('Fri, 22 Mar 2024 09:30:00 GMT');
  });
});
