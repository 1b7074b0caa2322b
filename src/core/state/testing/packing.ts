/// <reference types="jest" />
// Test support (run by each packing's test); built with the app only because it sits in src/.
import fc from 'fast-check';

/** Finite numbers as a stored state holds them, -0 included (JSON gives it back as 0). */
export const finiteNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constant(-0),
);

/** What the stored JSON gives back. */
export const viaJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/**
 * A packing's contract for one value: it packs, its packing is recognised after a trip through JSON, and it reads back
 * as exactly what JSON would give back for the value (numbers, -0 as 0, nulls, key order).
 */
export function expectPacksAsJson<T, P>(
  value: T,
  packing: { pack(v: T): P | undefined; unpack(p: P): unknown; isPacked(v: unknown): boolean },
): void {
  const packed = packing.pack(value);
  if (packed === undefined) throw new Error(`expected ${JSON.stringify(value).slice(0, 200)} to pack`);
  const stored = viaJson(packed);
  expect(packing.isPacked(stored)).toBe(true);
  const back = packing.unpack(stored as P);
  expect(back).toEqual(viaJson(value));
  expect(JSON.stringify(back)).toBe(JSON.stringify(value));
}
