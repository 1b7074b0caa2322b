import fc from 'fast-check';

import { compilePipeline } from '../pipelines';
import { combinePartials } from './combinePartials';
import { processBatch } from './processBatch';

const compiled = compilePipeline({ name: 'p', window: { type: 'tumbling', size: 'PT10S' }, lateness: 'PT1H' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
const pipeline = compiled.pipeline;
const T0 = Date.parse('2026-12-07T10:00:00Z');

function fold(events: { stream: string; value: number; dt: number }[], firstSeq: number) {
  return processBatch({
    bodies: events.map((e) => ({ stream: e.stream, time: T0 + e.dt, value: e.value })),
    partitionId: '0',
    sequenceNumbers: events.map((_, i) => firstSeq + i),
    enqueuedTimes: events.map(() => T0 + 60_000),
    pipelines: [pipeline],
    now: T0 + 61_000,
  }).partials;
}

describe('combinePartials', () => {
  it('two batches combined equal the one batch holding both (counts, windows, totals, event sequences), over the group range', () => {
    const event = fc.record({
      stream: fc.constantFrom('a', 'b', 'c'),
      value: fc.integer({ min: -1000, max: 1000 }),
      dt: fc.integer({ min: 0, max: 59_999 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 40 }),
        fc.array(event, { minLength: 1, maxLength: 40 }),
        (x, y) => {
          const whole = fold([...x, ...y], 100);
          const px = fold(x, 100);
          const py = fold(y, 100 + x.length);
          const range = { firstSequence: 100, lastSequence: 100 + x.length + y.length - 1 };
          for (const w of whole) {
            const parts = [...px, ...py].filter((p) => p.stream === w.stream);
            const c = combinePartials(parts, range);
            expect(c).toMatchObject({
              firstSequence: range.firstSequence,
              lastSequence: range.lastSequence,
              firstEventSequence: w.firstEventSequence,
              lastEventSequence: w.lastEventSequence,
              events: w.events,
              late: w.late,
              maxEventTime: w.maxEventTime,
            });
            expect(
              c.windows.map((v) => [
                v.start,
                v.events,
                v.measures['value']?.count,
                v.measures['value']?.sum,
                v.measures['value']?.min,
                v.measures['value']?.max,
              ]),
            ).toEqual(
              w.windows.map((v) => [
                v.start,
                v.events,
                v.measures['value']?.count,
                v.measures['value']?.sum,
                v.measures['value']?.min,
                v.measures['value']?.max,
              ]),
            );
            expect([c.totals['value']?.count, c.totals['value']?.sum]).toEqual([
              w.totals['value']?.count,
              w.totals['value']?.sum,
            ]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses partials of another stream or outside the range, saying which', () => {
    const [a] = fold([{ stream: 'a', value: 1, dt: 0 }], 5);
    const [b] = fold([{ stream: 'b', value: 1, dt: 0 }], 6);
    expect(() => combinePartials([a!, b!], { firstSequence: 5, lastSequence: 6 })).toThrow(
      /expected partials of p\/a on partition 0, found one of p\/b/,
    );
    expect(() => combinePartials([a!], { firstSequence: 6, lastSequence: 9 })).toThrow(
      /expected batches inside \[6, 9\], found \[5, 5\]/,
    );
    expect(() => combinePartials([], { firstSequence: 0, lastSequence: 1 })).toThrow(/at least one/);
  });
});

describe('combinePartials: window revisions (corrections)', () => {
  const revising = compilePipeline({
    name: 'r',
    window: { type: 'tumbling', size: 'PT10S' },
    lateness: 'PT1M',
    corrections: 'PT1H',
  });
  if (!revising.ok) throw new Error(JSON.stringify(revising.issues));
  // Every event is 2-12 minutes behind the stream's watermark: later than lateness, within corrections.
  const watermark = T0 + 15 * 60_000;
  const late = (values: number[], firstSeq: number, offset = 0) =>
    processBatch({
      bodies: values.map((value, i) => ({ stream: 'a', time: T0 + 3 * 60_000 + (offset + i) * 7_000, value })),
      partitionId: '0',
      sequenceNumbers: values.map((_, i) => firstSeq + i),
      enqueuedTimes: values.map(() => T0 + 16 * 60_000),
      pipelines: [revising.pipeline],
      watermarks: () => watermark,
      now: T0 + 16 * 60_000,
    }).partials;

  it('keeps the revisions of every part: events add, windows merge by start, the sequence range spans them', () => {
    const x = [1, 2, 3, 4];
    const y = [10, 20, 30];
    const whole = late([...x, ...y], 50)[0];
    const parts = [...late(x, 50), ...late(y, 50 + x.length, x.length)];
    // The events travel as revisions only: a stream with no on-time events still has its partial.
    expect(whole?.revisions?.events).toBe(7);
    const combined = combinePartials(parts, { firstSequence: 50, lastSequence: 56 });
    expect(combined.revisions).toMatchObject({ events: 7, firstSequence: 50, lastSequence: 56 });
    const shape = (ws: { start: number; events: number; measures: Record<string, { sum: number; count: number }> }[]) =>
      ws.map((w) => [w.start, w.events, w.measures['value']?.count, w.measures['value']?.sum]);
    expect(shape(combined.revisions?.windows ?? [])).toEqual(shape(whole?.revisions?.windows ?? []));
  });

  it('adds no revisions when no part has any', () => {
    expect(
      combinePartials(fold([{ stream: 'a', value: 1, dt: 0 }], 0), { firstSequence: 0, lastSequence: 0 }).revisions,
    ).toBeUndefined();
  });
});
