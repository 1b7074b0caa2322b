import { z } from 'zod';

import { defineAggregator } from '../aggregator';
import { ByteReader, ByteWriter } from '../bytes';

/** The latest value by event time; null before any. */
type Last = { time: number; value: string } | null;

/** Later event time wins; on equal times the larger text, so the result never depends on arrival order. */
const later = (a: Last, b: Last): Last => {
  if (a === null || b === null) return a ?? b;
  return b.time > a.time || (b.time === a.time && b.value > a.value) ? b : a;
};

/** `kind: "last"`: the last non-null string by event time (docs/how-to/add-an-aggregate.md). */
export const lastString = defineAggregator({
  kind: 'last',
  description: 'the last non-null value by event time (exact).',
  input: 'string',
  options: z.strictObject({}),
  create: () => {
    let last: Last = null;
    return {
      add: (value: string | number, time: number) => {
        last = later(last, { time, value: String(value) });
      },
      state: () => last,
    };
  },
  merge: later,
  summarize: (s: Last) => ({ value: s?.value ?? null }),
  encode: (s: Last) => {
    const w = new ByteWriter().byte(1).byte(s === null ? 0 : 1);
    if (s !== null) w.double(s.time).text(s.value);
    return w.toBase64();
  },
  decode: (encoded: string): Last => {
    const r = new ByteReader(encoded, 'last');
    r.version(1);
    const s = r.byte() === 0 ? null : { time: r.double(), value: r.text() };
    r.end();
    return s;
  },
});
