import { closedWindowData } from '../../../test/support/closedWindowRow';
import { aggregateOf, summarize } from '../aggregates';
import { fromStoredWindow, measuresOf, type StoredWindow } from './fromStoredWindow';

const T = Date.UTC(2025, 0, 1);

/** Rows are JSON read from a table: the reader must also survive rows the entity did not write (bare measures, junk). */
const asRow = (data: unknown): StoredWindow['data'] => data as StoredWindow['data'];
/** A closed window as the entity writes it. */
const closed = (over: Partial<StoredWindow['data']>): StoredWindow['data'] => ({
  pipeline: 'p',
  stream: 's',
  start: T,
  end: T + 60_000,
  events: 0,
  measures: {},
  closedAt: T + 60_000,
  closedBy: 'watermark',
  ...over,
});

describe('fromStoredWindow', () => {
  it('reads an Aggregate measure and converts m2 to a population stddev', () => {
    const data = {
      events: 4,
      measures: { value: { count: 4, sum: 20, mean: 5, m2: 16, min: 1, max: 9, sketch: 'abc' }, b: {} },
    };
    expect(measuresOf(asRow(data))).toEqual(['b', 'value']);
    expect(fromStoredWindow({ start: T, end: T + 60_000, data: asRow(data) }, 'value')).toEqual({
      start: '2025-01-01T00:00:00.000Z',
      end: '2025-01-01T00:01:00.000Z',
      count: 4,
      sum: 20,
      mean: 5,
      stddev: 2,
      min: 1,
      max: 9,
      sketch: 'abc',
    });
  });

  it('reads a Summary measure and rescales its sample stddev', () => {
    const data = {
      measures: { v: { count: 4, mean: 5, stddev: Math.sqrt(16 / 3), min: 1, max: 9, p50: 5, p90: 8, p99: 9 } },
    };
    const p = fromStoredWindow({ start: T, end: T + 1, data: asRow(data) }, 'v')!;
    expect(p.stddev).toBeCloseTo(2, 12);
    expect([p.p50, p.p90, p.p99]).toEqual([5, 8, 9]);
  });

  it('reads a closed window MeasureResult exactly as the entity writes it', () => {
    const aggregate = aggregateOf([2, 4, 4, 4, 5, 5, 7, 9].map((value, i) => ({ value, time: T + i })));
    const measure = { ...summarize(aggregate), aggregate };
    const p = fromStoredWindow(
      { start: T, end: T + 60_000, data: closed({ events: 8, measures: { v: measure } }) },
      'v',
    )!;
    expect(p.count).toBe(8);
    expect(p.mean).toBe(5);
    expect(p.stddev).toBeCloseTo(2, 12); // population stddev of the classic example
    expect(p.sketch).toBe(aggregate.sketch);
    expect(p.p50).toBe(measure.p50);
  });

  it("reads the compact row (the aggregate alone) as the old one: the summary's quantiles are derived", () => {
    const aggregate = aggregateOf([2, 4, 4, 4, 5, 5, 7, 9].map((value, i) => ({ value, time: T + i })));
    const old = fromStoredWindow(
      {
        start: T,
        end: T + 60_000,
        data: closedWindowData(T, T + 60_000, { events: 8, measures: { v: { ...summarize(aggregate), aggregate } } }),
      },
      'v',
    );
    const compact = fromStoredWindow(
      {
        start: T,
        end: T + 60_000,
        data: { ...closedWindowData(T, T + 60_000, { events: 8 }), measures: { v: aggregate } },
      },
      'v',
    );
    expect(compact).toEqual(old);
    expect(compact?.p99).toBe(summarize(aggregate).p99);
  });

  it('returns null for a missing measure, no events or malformed data', () => {
    expect(fromStoredWindow({ start: T, end: T, data: closed({ measures: {} }) }, 'v')).toBeNull();
    expect(
      fromStoredWindow(
        { start: T, end: T, data: asRow({ measures: { v: { count: 0, mean: 0, min: null, max: null } } }) },
        'v',
      ),
    ).toBeNull();
    expect(fromStoredWindow({ start: T, end: T, data: asRow('nope') }, 'v')).toBeNull();
    expect(measuresOf(asRow(null))).toEqual([]);
  });
});
