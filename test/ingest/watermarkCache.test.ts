import type { StreamPartial } from '../../src/core';
import { WatermarkCache } from '../../src/functions/ingest/watermarkCache';

const partial = (partition: string, stream: string, maxEventTime: number | null, processedAt = 0): StreamPartial =>
  ({ pipeline: 'p', stream, partition, maxEventTime, processedAt }) as StreamPartial;

describe('WatermarkCache', () => {
  it("keeps each partition's progress per stream: a partition running ahead does not move the others' marks", () => {
    const cache = new WatermarkCache();
    cache.update('0', 0, [partial('0', 's', 5000), partial('0', 't', 9000)]);
    cache.update('1', 0, [partial('1', 's', 1000)]);
    const p0 = cache.forBatch('0', 10);
    const p1 = cache.forBatch('1', 10);
    const p2 = cache.forBatch('2', 0);
    expect([p0('p', 's'), p0('p', 't'), p1('p', 's'), p1('p', 't'), p2('p', 's')]).toEqual([
      5000,
      9000,
      1000,
      undefined,
      undefined,
    ]);
    // Marks only move forward; a partial without aggregated events moves nothing.
    cache.update('1', 10, [partial('1', 's', 500), partial('1', 't', null)]);
    expect([cache.forBatch('1', 20)('p', 's'), cache.forBatch('1', 20)('p', 't')]).toEqual([1000, undefined]);
  });

  it('judges a batch redelivered to the same process against the marks from before its first delivery', () => {
    const cache = new WatermarkCache();
    cache.update('0', 0, [partial('0', 's', 1000)]);
    cache.update('0', 5, [partial('0', 's', 8000)]);
    // The same batch (first sequence 5) again: judged as the first time, against 1000, not its own 8000.
    expect(cache.forBatch('0', 5)('p', 's')).toBe(1000);
    cache.update('0', 5, [partial('0', 's', 8000)]);
    expect(cache.forBatch('0', 5)('p', 's')).toBe(1000);
    // The next batch sees the progress.
    expect(cache.forBatch('0', 9)('p', 's')).toBe(8000);
  });

  it("reports every partition's progress over all streams and its latest batch time, per pipeline", () => {
    const cache = new WatermarkCache();
    expect(cache.progressFor('p')).toBeUndefined();
    cache.update('0', 0, [partial('0', 's', 5000, 100), partial('0', 't', 9000, 100)]);
    cache.update('1', 0, [partial('1', 's', 1000, 200)]);
    cache.update('1', 1, [partial('1', 's', 800, 300)]);
    expect(cache.progressFor('p')).toEqual({ '0': { watermark: 9000, at: 100 }, '1': { watermark: 1000, at: 300 } });
    expect(cache.progressFor('other')).toBeUndefined();
  });

  it('coalescing: a buffered batch moves the late-check marks at once, its reports only when delivered', () => {
    const cache = new WatermarkCache();
    cache.update('0', 0, [partial('0', 's', 1000, 100)]);
    cache.update('0', 1, [partial('0', 's', 9000, 200)], false);
    // The next batch of the partition is judged against the buffered one ...
    expect(cache.forBatch('0', 2)('p', 's')).toBe(9000);
    // ... but other partitions' partials still report the delivered progress.
    expect(cache.progressFor('p')).toEqual({ '0': { watermark: 1000, at: 100 } });
    cache.reportDelivered('0', [partial('0', 's', 9000, 200), partial('0', 't', null, 300)]);
    expect(cache.progressFor('p')).toEqual({ '0': { watermark: 9000, at: 200 } });
  });
});
