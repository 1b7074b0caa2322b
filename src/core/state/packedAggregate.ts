import type { Aggregate } from '../aggregates';
import { type ByteReader, type ByteWriter, canonicalBase64Bytes } from '../aggregates/bytes';

/**
 * One Aggregate inside a packing of the stored stream state (packedWindows.ts, packedSamples.ts), given back exactly as
 * JSON would give it back. Shared by the packings of one state: the checks of what packs, and the aggregate's bytes.
 *
 * The bytes (version 2 of the window packing, version 1 of the sample packing): a flags byte; then either, for a
 * single value (count 1, sum = min = max = mean = both points' value, m2 0, one time), the value and its time, or
 * count, sum, [min], [max], mean, m2, [first time, value], [last time, value]; each number as ByteWriter.number. Then
 * the sketch, as its bytes when it is canonical base64 (what the sketch codec writes), else as text; then the accuracy
 * unless it equals the previous aggregate's in the same packing.
 */

export const AGGREGATE_KEYS = ['count', 'sum', 'min', 'max', 'mean', 'm2', 'first', 'last', 'sketch', 'accuracy'];
const POINT_KEYS = ['time', 'value'];

/** Which of min, max, first and last are present: the same four bits as packing version 1's flags byte. */
export const HAS_MIN = 1;
export const HAS_MAX = 2;
export const HAS_FIRST = 4;
export const HAS_LAST = 8;
const SINGLE = 16;
const SAME_ACCURACY = 32;
const SKETCH_BYTES = 64;

export const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Exactly these keys, in this order: what JSON would give back is then what unpacking builds. (for-in also walks
 * inherited enumerable keys, which JSON would drop: such an object does not pack, and stays as it is.)
 */
export function hasKeys(v: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in v) if (k !== keys[i++]) return false;
  return i === keys.length;
}

export const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** As JSON stores a number: -0 becomes 0 (the only finite number JSON does not give back as it was). */
export const json = (x: number): number => x + 0;

function isPoint(v: unknown): boolean {
  return v === null || (isPlain(v) && hasKeys(v, POINT_KEYS) && finite(v['time']) && finite(v['value']));
}

export function isPackableAggregate(v: unknown): v is Aggregate {
  if (!isPlain(v) || !hasKeys(v, AGGREGATE_KEYS)) return false;
  return (
    finite(v['count']) &&
    finite(v['sum']) &&
    (v['min'] === null || finite(v['min'])) &&
    (v['max'] === null || finite(v['max'])) &&
    finite(v['mean']) &&
    finite(v['m2']) &&
    isPoint(v['first']) &&
    isPoint(v['last']) &&
    typeof v['sketch'] === 'string' &&
    v['sketch'].isWellFormed() &&
    finite(v['accuracy'])
  );
}

/** What the aggregates of one packing share: the accuracy last written or read. */
export interface AggregateContext {
  accuracy: number | undefined;
}

/** One value at one time, said once (the common window of a sparse stream: one event). */
function singleValue(a: Aggregate): { value: number; time: number } | undefined {
  const { min, first, last } = a;
  if (min === null || first === null || last === null || a.max === null) return undefined;
  const value = json(min);
  const single =
    json(a.count) === 1 &&
    json(a.sum) === value &&
    json(a.max) === value &&
    json(a.mean) === value &&
    json(a.m2) === 0 &&
    json(first.value) === value &&
    json(last.value) === value &&
    json(first.time) === json(last.time);
  return single ? { value, time: json(first.time) } : undefined;
}

/** Writes a packable aggregate (isPackableAggregate). */
export function writeAggregate(out: ByteWriter, a: Aggregate, context: AggregateContext): void {
  const single = singleValue(a);
  // The sketch as its bytes when base64 of them gives the text back exactly (the codec's own output), else as text.
  const sketchBytes = canonicalBase64Bytes(a.sketch);
  const accuracy = json(a.accuracy);
  const flags =
    (a.min === null ? 0 : HAS_MIN) |
    (a.max === null ? 0 : HAS_MAX) |
    (a.first === null ? 0 : HAS_FIRST) |
    (a.last === null ? 0 : HAS_LAST) |
    (single ? SINGLE : 0) |
    (accuracy === context.accuracy ? SAME_ACCURACY : 0) |
    (sketchBytes >= 0 ? SKETCH_BYTES : 0);
  out.byte(flags);
  if (single) out.number(single.value).number(single.time);
  else {
    out.number(a.count).number(a.sum);
    if (a.min !== null) out.number(a.min);
    if (a.max !== null) out.number(a.max);
    out.number(a.mean).number(a.m2);
    if (a.first !== null) out.number(a.first.time).number(a.first.value);
    if (a.last !== null) out.number(a.last.time).number(a.last.value);
  }
  if (sketchBytes >= 0) out.base64(a.sketch, sketchBytes);
  else out.text(a.sketch);
  if (accuracy !== context.accuracy) out.number(accuracy);
  context.accuracy = accuracy;
}

/** Reads what writeAggregate wrote, in the key order of the stored JSON. */
export function readAggregate(r: ByteReader, context: AggregateContext): Aggregate {
  const flags = r.byte();
  let count: number, sum: number, min: number | null, max: number | null, mean: number, m2: number;
  let first: Aggregate['first'], last: Aggregate['last'];
  if (flags & SINGLE) {
    const value = r.number();
    const time = r.number();
    [count, sum, min, max, mean, m2] = [1, value, value, value, value, 0];
    first = { time, value };
    last = { time, value };
  } else {
    count = r.number();
    sum = r.number();
    min = flags & HAS_MIN ? r.number() : null;
    max = flags & HAS_MAX ? r.number() : null;
    mean = r.number();
    m2 = r.number();
    first = flags & HAS_FIRST ? { time: r.number(), value: r.number() } : null;
    last = flags & HAS_LAST ? { time: r.number(), value: r.number() } : null;
  }
  const sketch = flags & SKETCH_BYTES ? r.base64() : r.text();
  let accuracy: number;
  if (flags & SAME_ACCURACY) {
    if (context.accuracy === undefined) throw new Error('packed aggregate: expected an accuracy before, found none');
    accuracy = context.accuracy;
  } else accuracy = r.number();
  context.accuracy = accuracy;
  return { count, sum, min, max, mean, m2, first, last, sketch, accuracy };
}
