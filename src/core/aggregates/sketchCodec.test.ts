import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';

import { mergeSketchInto } from './sketch';
import { decodeSketchBinary, encodeSketchBinary, mergeEncodedBinary } from './sketchCodec';

// Realistic magnitudes: across extreme key ranges (e.g. 1e-308 next to 1) sketches-js's DenseStore.merge itself drops
// bins, which the encoded merge does not, so the two differ there by sketches-js's loss.
const value = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000), fc.constant(0), fc.integer({ min: -50, max: 50 }));
const entries = fc.array(fc.record({ value, weight: fc.oneof(fc.constant(1), fc.constant(3), fc.double({ min: 0.125, max: 4, noNaN: true })) }), { maxLength: 60 });

const sketchOf = (xs: { value: number; weight: number }[], accuracy = 0.01): DDSketch => {
  const s = new DDSketch({ relativeAccuracy: accuracy });
  for (const { value: v, weight } of xs) s.accept(v, weight);
  return s;
};

describe('mergeEncodedBinary', () => {
  it('equals decoding both, merging the DDSketches and encoding, byte for byte (negatives, zeros, fractional counts, empties)', () => {
    fc.assert(
      fc.property(entries, entries, (a, b) => {
        const ea = encodeSketchBinary(sketchOf(a), 0.01);
        const eb = encodeSketchBinary(sketchOf(b), 0.01);
        const viaSketches = decodeSketchBinary(ea).sketch;
        mergeSketchInto(viaSketches, decodeSketchBinary(eb).sketch);
        expect(mergeEncodedBinary(ea, eb)).toBe(encodeSketchBinary(viaSketches, 0.01));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the accuracy it is given and refuses sketches of different accuracies', () => {
    const a = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }]), 0.01);
    expect(decodeSketchBinary(mergeEncodedBinary(a, a, 0.02)).accuracy).toBe(0.02);
    const b = encodeSketchBinary(sketchOf([{ value: 1, weight: 1 }], 0.05), 0.05);
    expect(() => mergeEncodedBinary(a, b)).toThrow('different `relativeAccuracy`');
    expect(() => mergeEncodedBinary('AgA=', a)).toThrow('expected version 1, found 2');
  });
});
