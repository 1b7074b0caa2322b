import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';

import {
  decodeSketchBinary,
  encodedSketchQuantiles,
  encodeSketchBinary,
  mergeEncodedAllBinary,
  mergeEncodedBinary,
} from './sketchCodec';

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

describe('mergeEncodedAllBinary', () => {
  it('equals folding mergeEncodedBinary left to right, byte for byte, whatever the accuracy given', () => {
    const empty = encodeSketchBinary(sketchOf([]), 0.01);
    fc.assert(
      fc.property(
        fc.array(entries, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(undefined, 0.02),
        (lists, accuracy) => {
          const encoded = lists.map((xs) => encodeSketchBinary(sketchOf(xs), 0.01));
          // The last step writes `accuracy`; merging one sketch with an empty one leaves its bins as they are.
          const steps = encoded.length === 1 ? [...encoded, empty] : encoded;
          const folded = steps.reduce((a, b, i) =>
            i === steps.length - 1 ? mergeEncodedBinary(a, b, accuracy) : mergeEncodedBinary(a, b),
          );
          expect(mergeEncodedAllBinary(encoded, accuracy)).toBe(folded);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an empty list and sketches of different accuracies', () => {
    expect(() => mergeEncodedAllBinary([])).toThrow(/at least one/);
    const a = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }], 0.01), 0.01);
    const b = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }], 0.02), 0.02);
    expect(() => mergeEncodedAllBinary([a, a, b])).toThrow(/relativeAccuracy/);
  });
});

describe('encodedSketchQuantiles', () => {
  // Weights with no exact binary form too: the counts must be summed in the decoder's order to agree.
  const anyWeight = fc.oneof(
    weight,
    fc.integer({ min: 1, max: 5000 }).map((n) => n / 1000),
  );
  const anyEntries = fc.array(fc.record({ value, weight: anyWeight }), { maxLength: 80 });
  const quantiles = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1, -0.1, 1.1];

  it("gives the decoded DDSketch's count and getValueAtQuantile, exactly (negatives, zeros, fractional counts, empties)", () => {
    fc.assert(
      fc.property(
        anyEntries,
        fc.constantFrom(0.01, 0.05),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, accuracy, q) => {
          const encoded = encodeSketchBinary(sketchOf(xs, accuracy), accuracy);
          const sketch = decodeSketchBinary(encoded).sketch;
          const fast = encodedSketchQuantiles(encoded);
          expect(fast.count).toBe(sketch.count);
          for (const at of [...quantiles, q])
            expect(Object.is(fast.getValueAtQuantile(at), sketch.getValueAtQuantile(at))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers as the decoder where rounding leaves a rank below zero (its quirk: the first bin of its dense store)', () => {
    // count 4.271: at q = 1 the rank, 3.271, minus the zero and negative counts is -1.1e-16.
    const encoded = encodeSketchBinary(
      sketchOf([
        { value: 1, weight: 1 },
        { value: 0, weight: 3 },
        { value: -1, weight: 0.271 },
      ]),
      0.01,
    );
    const expected = decodeSketchBinary(encoded).sketch.getValueAtQuantile(1);
    expect(expected).toBeLessThan(0.9);
    expect(encodedSketchQuantiles(encoded).getValueAtQuantile(1)).toBe(expected);
    // The same on the negative side: count 1.059, at q = 1 the reversed rank + 1 rounds to 0 or below.
    const negative = encodeSketchBinary(
      sketchOf([
        { value: -1, weight: 0.059 },
        { value: 0, weight: 1 },
      ]),
      0.01,
    );
    const expectedNegative = decodeSketchBinary(negative).sketch.getValueAtQuantile(1);
    expect(expectedNegative).toBeGreaterThan(-0.9);
    expect(encodedSketchQuantiles(negative).getValueAtQuantile(1)).toBe(expectedNegative);
  });

  it('reads a merged sketch as the decoder does', () => {
    const a = encodeSketchBinary(
      sketchOf([
        { value: -3, weight: 0.3 },
        { value: 0, weight: 0.7 },
      ]),
      0.01,
    );
    const b = encodeSketchBinary(
      sketchOf([
        { value: 1000, weight: 2.1 },
        { value: 0.001, weight: 0.9 },
      ]),
      0.01,
    );
    const merged = mergeEncodedBinary(a, b);
    const sketch = decodeSketchBinary(merged).sketch;
    for (const q of quantiles)
      expect(encodedSketchQuantiles(merged).getValueAtQuantile(q)).toBe(sketch.getValueAtQuantile(q));
  });
});
