import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';

import { decodeSketchBinary, encodeSketchBinary, mergeEncodedBinary } from './sketchCodec';

// Weights are multiples of 1/8, so sums of counts are exact in any order and encodings can be compared byte for byte.
const value = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000),
  fc.constant(0),
  fc.integer({ min: -50, max: 50 }),
  fc.constant(0.001),
  fc.constant(1),
);
const weight = fc.oneof(
  fc.constant(1),
  fc.constant(3),
  fc.integer({ min: 1, max: 32 }).map((n) => n / 8),
);
const entries = fc.array(fc.record({ value, weight }), { maxLength: 60 });

const sketchOf = (xs: { value: number; weight: number }[], accuracy = 0.01): DDSketch => {
  const s = new DDSketch({ relativeAccuracy: accuracy });
  for (const { value: v, weight: w } of xs) s.accept(v, w);
  return s;
};

describe('mergeEncodedBinary', () => {
  // The oracle is one sketch that accepted every value of both: sketches-js's own merge drops bins (see sketch.ts).
  it('equal one sketch of both inputs, byte for byte (negatives, zeros, fractional counts, empties, distant keys)', () => {
    fc.assert(
      fc.property(entries, entries, (a, b) => {
        const ea = encodeSketchBinary(sketchOf(a), 0.01);
        const eb = encodeSketchBinary(sketchOf(b), 0.01);
        const whole = encodeSketchBinary(sketchOf([...a, ...b]), 0.01);
        const merged = mergeEncodedBinary(ea, eb);
        expect(merged).toBe(whole);
        expect(decodeSketchBinary(merged).sketch.count).toBe(sketchOf([...a, ...b]).count);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the bin that sketches-js 2.1.1 merge drops (its counterexample)', () => {
    const a = encodeSketchBinary(sketchOf([{ value: 0.001, weight: 0.125 }]), 0.01);
    const b = encodeSketchBinary(
      sketchOf([
        { value: 0.001, weight: 3 },
        { value: 1, weight: 1 },
      ]),
      0.01,
    );
    const merged = decodeSketchBinary(mergeEncodedBinary(a, b)).sketch;
    expect(merged.getValueAtQuantile(1)).toBeCloseTo(1, 1);
    expect(merged.count).toBe(4.125);
  });

  it('writes the accuracy it is given and refuses sketches of different accuracies', () => {
    const a = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }]), 0.01);
    expect(decodeSketchBinary(mergeEncodedBinary(a, a, 0.02)).accuracy).toBe(0.02);
    const b = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }], 0.05), 0.05);
    expect(() => mergeEncodedBinary(a, b)).toThrow('different `relativeAccuracy`');
    expect(() => mergeEncodedBinary('AgA=', a)).toThrow('expected version 1, found 2');
  });
});
