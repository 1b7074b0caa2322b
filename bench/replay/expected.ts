/**
 * The independent computation the replay is checked against: from the records as written to the file (not from the
 * app's code), per origin the count, sum, min and max of both measures over the events passing `distance > 100`,
 * and the same per UTC hour (the pipeline's 1-hour tumbling windows).
 */

export interface Stat {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Expected {
  events: number;
  delay: Stat;
  distance: Stat;
}

export interface ExpectedKey extends Expected {
  /** Hourly windows by start (epoch ms). */
  windows: Map<number, Expected>;
}

export interface ExpectedHistory {
  records: number;
  /** Records the filter drops (distance <= 100). */
  filtered: number;
  firstTimeMs: number;
  lastTimeMs: number;
  /** Whether every record's time is at or after the previous one's. */
  sorted: boolean;
  keys: Map<string, ExpectedKey>;
}

export const HOUR_MS = 3_600_000;

const emptyStat = (): Stat => ({ count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY });
const emptyExpected = (): Expected => ({ events: 0, delay: emptyStat(), distance: emptyStat() });

function add(stat: Stat, x: number): void {
  stat.count++;
  stat.sum += x;
  if (x < stat.min) stat.min = x;
  if (x > stat.max) stat.max = x;
}

function addRecord(e: Expected, delay: number, distance: number): void {
  e.events++;
  add(e.delay, delay);
  add(e.distance, distance);
}

/** Accumulates records one at a time (so a 1 M-line file need not be held as objects). */
export class ExpectedBuilder {
  private readonly out: ExpectedHistory = {
    records: 0,
    filtered: 0,
    firstTimeMs: Number.NaN,
    lastTimeMs: Number.NaN,
    sorted: true,
    keys: new Map(),
  };

  add(record: unknown, line: number): void {
    const r = record as { date?: unknown; origin?: unknown; delay?: unknown; distance?: unknown };
    const t = typeof r.date === 'string' ? Date.parse(r.date) : Number.NaN;
    if (
      typeof r.origin !== 'string' ||
      !Number.isFinite(t) ||
      typeof r.delay !== 'number' ||
      typeof r.distance !== 'number'
    ) {
      throw new Error(
        `History line ${line}: expected {date (ISO), origin (string), delay (number), distance (number)}; found ${JSON.stringify(record).slice(0, 200)}`,
      );
    }
    this.out.records++;
    if (this.out.records === 1) this.out.firstTimeMs = t;
    else if (t < this.out.lastTimeMs) this.out.sorted = false;
    this.out.lastTimeMs = t;
    if (!(r.distance > 100)) {
      this.out.filtered++;
      return;
    }
    let key = this.out.keys.get(r.origin);
    if (!key) {
      key = { ...emptyExpected(), windows: new Map() };
      this.out.keys.set(r.origin, key);
    }
    addRecord(key, r.delay, r.distance);
    const start = Math.floor(t / HOUR_MS) * HOUR_MS;
    let w = key.windows.get(start);
    if (!w) {
      w = emptyExpected();
      key.windows.set(start, w);
    }
    addRecord(w, r.delay, r.distance);
  }

  result(): ExpectedHistory {
    return this.out;
  }
}

/** The expected results of an NDJSON history (blank lines skipped). */
export function expectedFromNdjson(text: string): ExpectedHistory {
  const builder = new ExpectedBuilder();
  let line = 0;
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    line++;
    const s = text.slice(from, to).trim();
    if (s !== '') builder.add(JSON.parse(s), line);
    from = to + 1;
  }
  return builder.result();
}

/** Sizes of the keys, largest first: the skew the history has. */
export function keySizes(history: ExpectedHistory): number[] {
  return [...history.keys.values()].map((k) => k.events).sort((a, b) => b - a);
}
