import fc from 'fast-check';

import { aggregateOf } from '../aggregates';
import { isPackedSamples, packSamples, unpackSamples } from './packedSamples';
import { expectPacksAsJson, finiteNumber } from './testing/packing';
import type { RateSample } from './types';

/** As streamState.ts records a sample: the latency keeps count, min, max and the sketch; the rest zeroed. */
const latency = fc
  .array(fc.record({ time: fc.integer({ min: 0, max: 2e12 }), value: fc.integer({ min: 0, max: 1e6 }) }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((points) => ({ ...aggregateOf(points), sum: 0, mean: 0, m2: 0, first: null, last: null }));
/** One sample of one event. */
const plain = (): RateSample => ({
  key: '0:1',
  at: 1,
  events: 1,
  minEnqueuedTime: 1,
  maxEnqueuedTime: 1,
  latency: aggregateOf([{ time: 0, value: 1 }]),
});
const sample = fc.record({
  key: fc.oneof(fc.string(), fc.constantFrom('0:1', '31:4000', 'é:1')).filter((k) => k.isWellFormed()),
  at: finiteNumber,
  events: finiteNumber,
  minEnqueuedTime: finiteNumber,
  maxEnqueuedTime: finiteNumber,
  latency: fc.oneof(
    latency,
    fc.record({
      count: finiteNumber,
      sum: finiteNumber,
      min: fc.option(finiteNumber, { nil: null }),
      max: fc.option(finiteNumber, { nil: null }),
      mean: finiteNumber,
      m2: finiteNumber,
      first: fc.constant(null),
      last: fc.constant(null),
      sketch: fc.string(),
      accuracy: finiteNumber,
    }),
  ),
});

describe('packSamples / unpackSamples', () => {
  it('give back exactly what JSON would (values, -0 as 0, key order), for any plain samples (property)', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 32 }), (samples) => {
        expectPacksAsJson(samples, { pack: packSamples, unpack: unpackSamples, isPacked: isPackedSamples });
      }),
      { numRuns: 300 },
    );
  });

  it("pack a stream's 32 samples into under a third of their JSON", () => {
    const samples: RateSample[] = Array.from({ length: 32 }, (_, i) => ({
      key: `${i % 4}:${i * 8000}`,
      at: 1_796_682_816_803 + i * 900,
      events: 30 + i,
      minEnqueuedTime: 1_796_682_815_678 + i * 900,
      maxEnqueuedTime: 1_796_682_815_990 + i * 900,
      latency: {
        ...aggregateOf([400, 420, 431].map((value, k) => ({ time: k, value: value + i }))),
        sum: 0,
        mean: 0,
        m2: 0,
        first: null,
        last: null,
      },
    }));
    const packed = packSamples(samples)!;
    expect(unpackSamples(packed)).toEqual(samples);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(samples).length / 3);
  });

  it('leave unpacked (undefined) what they could not give back exactly', () => {
    const cases: unknown[] = [
      { ...plain(), extra: 1 },
      { ...plain(), key: 1 },
      { ...plain(), key: 'a\ud800' },
      { ...plain(), at: Number.NaN },
      { ...plain(), latency: { ...plain().latency, sketch: 5 } },
      { key: '0:1', events: 1, at: 1, minEnqueuedTime: 1, maxEnqueuedTime: 1, latency: plain().latency },
    ];
    for (const c of cases) expect(packSamples([plain(), c as RateSample])).toBeUndefined();
    expect(packSamples([plain()])).toBeDefined();
  });

  it('refuse a packing they did not write: another version, cut short, or with bytes after it', () => {
    const { packedSamples } = packSamples([plain()])!;
    const bytes = Buffer.from(packedSamples, 'base64');
    const other = Buffer.from(bytes);
    other[0] = 9;
    expect(() => unpackSamples({ packedSamples: other.toString('base64') })).toThrow(
      'unsupported packed samples encoding: expected version 1, found 9',
    );
    expect(() => unpackSamples({ packedSamples: bytes.subarray(0, bytes.length - 2).toString('base64') })).toThrow(
      /ended early/,
    );
    expect(() => unpackSamples({ packedSamples: Buffer.concat([bytes, Buffer.from([0])]).toString('base64') })).toThrow(
      /expected \d+ bytes/,
    );
    expect(() => unpackSamples({ packedSamples: Buffer.from([1, 0xff, 0xff, 0x7f]).toString('base64') })).toThrow(
      /cannot fit/,
    );
  });

  it('tell a packing from anything else', () => {
    expect(isPackedSamples({ packedSamples: 'AQA=' })).toBe(true);
    expect(isPackedSamples([])).toBe(false);
    expect(isPackedSamples({ packed: 'AQA=' })).toBe(false);
    expect(isPackedSamples({ packedSamples: 'x', more: 1 })).toBe(false);
  });
});
