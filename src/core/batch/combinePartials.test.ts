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
