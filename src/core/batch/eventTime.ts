import { describeValue } from '../expressions';
import { MAX_EVENT_TIME } from '../windows';

export type TimeResult = { ok: true; time: number } | { ok: false; detail: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const MIN_TEXT = '1970-01-01T00:00:00Z';
const MAX_TEXT = new Date(MAX_EVENT_TIME).toISOString();

/**
 * Event time from an ISO-8601 string or epoch milliseconds. ISO strings without a zone are UTC (JavaScript would
 * read them as local time, which would make results depend on the host's zone). Calendar fields are checked, never
 * rolled over (Date.parse reads 2026-02-30 as 2 March); times outside 1970 to 9999 get a message saying so.
 */
export function parseEventTime(value: unknown, field: string): TimeResult {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= MAX_EVENT_TIME) return { ok: true, time: Math.floor(value) };
    if (Number.isFinite(value))
      return {
        ok: false,
        detail: `${field}: ${rangeProblem(value)} (epoch milliseconds 0 to ${MAX_EVENT_TIME}), found ${describeValue(value)}`,
      };
    return {
      ok: false,
      detail: `${field}: expected epoch milliseconds between 0 and ${MAX_EVENT_TIME}, found ${describeValue(value)}`,
    };
  }
  if (typeof value === 'string') {
    const fast = parseCanonicalIso(value);
    if (fast !== undefined) return { ok: true, time: fast };
    const match = ISO.exec(value.trim());
    if (match) {
      const parsed = fromFields(match);
      if (typeof parsed === 'string')
        return { ok: false, detail: `${field}: ${parsed}, found ${describeValue(value)}` };
      if (parsed >= 0 && parsed <= MAX_EVENT_TIME) return { ok: true, time: parsed };
      return { ok: false, detail: `${field}: ${rangeProblem(parsed)}, found ${describeValue(value)}` };
    }
  }
  return {
    ok: false,
    detail: `${field}: expected an ISO-8601 time like "2026-11-26T10:00:00Z" or epoch milliseconds, found ${describeValue(value)}`,
  };
}

const rangeProblem = (ms: number): string =>
  ms < 0 ? `expected a time at or after ${MIN_TEXT}` : `expected a time at or before ${MAX_TEXT}`;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Epoch ms of a matched ISO text, or what is out of range (checked field by field, so nothing rolls over). */
function fromFields(m: RegExpExecArray): number | string {
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const fraction = m[7];
  const zone = m[8];
  if (month < 1 || month > 12) return `expected a month from 01 to 12`;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > monthDays)
    return `expected a day from 01 to ${monthDays} in ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
  if (hour > 23) return 'expected an hour from 00 to 23';
  if (minute > 59) return 'expected minutes from 00 to 59';
  if (second > 59) return 'expected seconds from 00 to 59';
  let offsetMs = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digitsOnly = zone.slice(1).replace(':', '');
    const oh = Number(digitsOnly.slice(0, 2));
    const om = Number(digitsOnly.slice(2));
    if (oh > 23 || om > 59) return 'expected a zone offset from -23:59 to +23:59';
    offsetMs = (zone[0] === '-' ? -1 : 1) * (oh * 3_600_000 + om * 60_000);
  }
  // Like Date.parse: the first three fraction digits count, the rest are truncated.
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  return (
    daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms - offsetMs
  );
}

/** Enqueued time as the trigger gives it; undefined when unreadable. */
export function parseEnqueuedTime(value: string | number | Date | undefined): number | undefined {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  if (value === undefined) return undefined;
  const parsed = parseEventTime(value, 'enqueuedTime');
  return parsed.ok ? parsed.time : undefined;
}

const DIGIT_0 = 48;

/**
 * Epoch ms of the canonical UTC form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (what toISOString and most producers write),
 * or undefined for anything else, which then takes the general (regex + Date.parse) path. It reads the digits in
 * place: the general path costs about as much as parsing the whole event's JSON. Equal to the general path wherever
 * it answers (property-tested).
 */
export function parseCanonicalIso(text: string): number | undefined {
  const n = text.length;
  if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return undefined;
  // Straight-line digit reads (a loop per field cost twice as much); `>>> 0` makes a character below '0' large.
  const y0 = text.charCodeAt(0) - DIGIT_0;
  const y1 = text.charCodeAt(1) - DIGIT_0;
  const y2 = text.charCodeAt(2) - DIGIT_0;
  const y3 = text.charCodeAt(3) - DIGIT_0;
  const mo0 = text.charCodeAt(5) - DIGIT_0;
  const mo1 = text.charCodeAt(6) - DIGIT_0;
  const d0 = text.charCodeAt(8) - DIGIT_0;
  const d1 = text.charCodeAt(9) - DIGIT_0;
  const h0 = text.charCodeAt(11) - DIGIT_0;
  const h1 = text.charCodeAt(12) - DIGIT_0;
  const mi0 = text.charCodeAt(14) - DIGIT_0;
  const mi1 = text.charCodeAt(15) - DIGIT_0;
  const s0 = text.charCodeAt(17) - DIGIT_0;
  const s1 = text.charCodeAt(18) - DIGIT_0;
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    mo0 >>> 0 > 9 ||
    mo1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    mi0 >>> 0 > 9 ||
    mi1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9
  )
    return undefined;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = mo0 * 10 + mo1;
  const day = d0 * 10 + d1;
  const hour = h0 * 10 + h1;
  const minute = mi0 * 10 + mi1;
  const second = s0 * 10 + s1;
  // Years below 100 are where Date.UTC and Date.parse disagree; days past 28 need the month's length: general path.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  let ms = 0;
  if (n > 20) {
    if (text.charCodeAt(19) !== 46 /* . */ || n === 21) return undefined;
    // Date.parse keeps the first three fraction digits and truncates the rest.
    let scale = 100;
    for (let i = 20; i < n - 1; i++) {
      const d = text.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) return undefined;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; years >= 0): Date.UTC costs more than the rest of the parse. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
