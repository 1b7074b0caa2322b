import { accumulateMetrics } from './accumulateMetrics';
import { MAX_TEXT_CHARS } from './chunkedText';
import type { IngestMetricsInput } from './types';

const batch = (over: Partial<IngestMetricsInput> = {}): IngestMetricsInput => ({
  at: '2024-05-01T10:07:31.500Z',
  partition: '0',
  eventsIn: 100,
  aggregated: 90,
  filtered: 5,
  deadLettered: 5,
  entityOperations: 3,
  processingMs: 12,
  ...over,
});

describe('accumulateMetrics', () => {
  it('starts a minute row and sums later batches into it', () => {
    const first = accumulateMetrics(undefined, batch({ latencySketch: 'A' }), undefined);
    expect(first).toMatchObject({
      minute: '2024-05-01T10:07:00.000Z',
      partition: '0',
      eventsIn: 100,
      batches: 1,
      latencySketches: ['A'],
    });
    const second = accumulateMetrics(first, batch({ eventsIn: 50, processingMs: 3, latencySketch: 'B' }), undefined);
    expect(second).toMatchObject({
      eventsIn: 150,
      aggregated: 180,
      processingMs: 15,
      batches: 2,
      latencySketches: ['A', 'B'],
    });
    expect(first.latencySketches).toEqual(['A']);
  });

  it('merges sketches when given a merger', () => {
    const merge = (a: string, b: string) => `${a}+${b}`;
    const row = [batch({ latencySketch: 'A' }), batch({ latencySketch: 'B' }), batch({ latencySketch: 'C' })].reduce<
      ReturnType<typeof accumulateMetrics> | undefined
    >((acc, b) => accumulateMetrics(acc, b, merge), undefined);
    expect(row?.latencySketches).toEqual(['A+B+C']);
  });

  it('drops the oldest unmerged sketches beyond the entity budget and counts them', () => {
    const big = 'x'.repeat(Math.floor(MAX_TEXT_CHARS / 3));
    let row = accumulateMetrics(undefined, batch({ latencySketch: `1${big}` }), undefined);
    row = accumulateMetrics(row, batch({ latencySketch: `2${big}` }), undefined);
    row = accumulateMetrics(row, batch({ latencySketch: `3${big}` }), undefined);
    expect(row.latencySketches.map((s) => s[0])).toEqual(['2', '3']);
    expect(row.sketchesDropped).toBe(1);
  });

  it('rejects bad counters and times naming the field', () => {
    expect(() => accumulateMetrics(undefined, batch({ eventsIn: -1 }), undefined)).toThrow(
      'eventsIn: expected a non-negative number, found -1',
    );
    expect(() => accumulateMetrics(undefined, batch({ at: 'now' }), undefined)).toThrow(
      /^at: expected an ISO 8601 time/,
    );
    expect(() => accumulateMetrics(undefined, batch({ partition: '' }), undefined)).toThrow(
      /^partition: expected a non-empty string/,
    );
  });
});
