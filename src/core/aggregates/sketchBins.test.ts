import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';

import { SketchBins } from './sketchBins';
import { decodeSketchBinary, encodeSketchBinary } from './sketchCodec';

const encodeWithLibrary = (values: number[], accuracy: number): string => {
  const sketch = new DDSketch({ relativeAccuracy: accuracy });
  for (const v of values) sketch.accept(v);
  return encodeSketchBinary(sketch, accuracy);
};

const encodeWithBins = (values: number[], accuracy: number): string => {
  const bins = new SketchBins(accuracy);
  for (const v of values) bins.add(v);
  return bins.encode();
};

describe('SketchBins', () => {
  it('encodes an empty sketch as sketches-js would', () => {
    expect(encodeWithBins([], 0.01)).toBe(encodeWithLibrary([], 0.01));
  });

  it('keys positive, negative and zero values as sketches-js does', () => {
    const values = [0, -0, 1, -1, 21.5, 21.5, 21.5, -3e-9, 1e12, 5e-324];
    expect(encodeWithBins(values, 0.01)).toBe(encodeWithLibrary(values, 0.01));
  });

  it('counts a run of repeated values once per value', () => {
    const values = [7, 7, 7, 8, 7, 7];
    expect(decodeSketchBinary(encodeWithBins(values, 0.02)).sketch.count).toBe(6);
    expect(encodeWithBins(values, 0.02)).toBe(encodeWithLibrary(values, 0.02));
  });

  it('clamps a value beyond the largest trackable one instead of throwing', () => {
    const bins = new SketchBins(0.01);
    bins.add(Number.MAX_VALUE);
    expect(decodeSketchBinary(bins.encode()).sketch.count).toBe(1);
  });

  it('encodes any sequence byte for byte as sketches-js does', () => {
    // Magnitudes from 1e-6 to 1e9: across ~600 decades sketches-js's dense store itself overflows the stack.
    const magnitude = fc.double({ min: 1e-6, max: 1e9, noNaN: true });
    const value = fc.oneof(
      magnitude,
      magnitude.map((m) => -m),
      fc.integer({ min: -50, max: 50 }),
      fc.constant(0),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), fc.constantFrom(0.001, 0.01, 0.05), (values, accuracy) => {
        expect(encodeWithBins(values, accuracy)).toBe(encodeWithLibrary(values, accuracy));
      }),
    );
  });

  it('can encode twice, and keeps adding after an encode', () => {
    const bins = new SketchBins(0.01);
    bins.add(3);
    const once = bins.encode();
    expect(bins.encode()).toBe(once);
    bins.add(3);
    expect(bins.encode()).toBe(encodeWithLibrary([3, 3], 0.01));
  });

  it('keys from its cache exactly as sketches-js does, across colliding slots and repeated values', () => {
    // 20,000 integers and 5,000 one-decimal values share 4,096 slots: hits, misses and overwrites, twice over.
    const integers = Array.from({ length: 20_000 }, (_, i) => i);
    const decimals = Array.from({ length: 5_000 }, (_, i) => 20 + i / 10);
    for (const values of [integers, decimals, [...integers].reverse(), [...decimals, ...integers]])
      expect(encodeWithBins(values, 0.01)).toBe(encodeWithLibrary(values, 0.01));
    // One cache per accuracy: the same value keys differently at another accuracy.
    expect(encodeWithBins([1234, 1234.5], 0.05)).toBe(encodeWithLibrary([1234, 1234.5], 0.05));
    expect(encodeWithBins([1234, 1234.5], 0.01)).toBe(encodeWithLibrary([1234, 1234.5], 0.01));
  });
});
