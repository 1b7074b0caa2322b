import fc from 'fast-check';

import { processBatch, type StreamPartial } from '../batch';
import { compilePipeline } from '../pipelines';
import { flushIdle, initialStreamState, mergePartial, type StreamState } from '../state';
import { closedWindowFromStored } from '../state/storedWindow';
import type { ClosedWindow, StoredClosedWindow } from '../state/types';
import { mergeSessionInto, type SessionBounds, sessionFragments } from './sessions';

const spec = { gapMs: 10, maxDurationMs: 100 };

describe('sessionFragments', () => {
  it('cuts where events are `gap` or more apart and at multiples of maxDuration', () => {
    const f = sessionFragments([5, 0, 9, 19, 30, 95, 101, 105], spec);
    expect(f.map(({ start, end, events }) => [start, end, events])).toEqual([
      [0, 19, [1, 0, 2]],
      [19, 29, [3]],
      [30, 40, [4]],
      [95, 100, [5]],
      [101, 115, [6, 7]],
    ]);
  });

  it('depends only on the set of times (any order), and merging fragments of any split gives the fragments of the whole', () => {
    const times = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(times, fc.integer({ min: 0, max: 40 }), (ts, cut) => {
        const bounds = (xs: number[]) => sessionFragments(xs, spec).map(({ start, end }) => ({ start, end }));
        const whole = bounds(ts);
        expect(bounds([...ts].reverse())).toEqual(whole);
        // Two batches' fragments folded into live sessions, as the entity does, give the sessions of all events.
        const live = new Map<number, SessionBounds>();
        for (const f of [...bounds(ts.slice(0, cut)), ...bounds(ts.slice(cut))])
          mergeSessionInto(live, f, spec, (a) => a);
        expect([...live.values()].sort((a, b) => a.start - b.start)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe('session windows through the entity', () => {
  const T0 = Date.parse('2026-11-26T10:00:00Z');
  const min = 60_000;
  const c = compilePipeline({
    name: 's',
    key: 'user',
    measures: { clicks: 'clicks' },
    aggregates: { pages: { kind: 'distinct', expr: 'page' } },
    window: { type: 'session', gap: 'PT10M', maxDuration: 'PT1H' },
    lateness: 'PT10M',
  });
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  const pipeline = c.pipeline;
  const batch = (seq: number, minutes: number[]) =>
    processBatch({
      bodies: minutes.map((m, i) => JSON.stringify({ user: 'u', clicks: 1, page: `p${seq + i}`, time: T0 + m * min })),
      partitionId: '0',
      sequenceNumbers: minutes.map((_, i) => seq + i),
      enqueuedTimes: minutes.map(() => T0 + 3 * 3_600_000),
      pipelines: [pipeline],
      now: T0 + 3 * 3_600_000,
    }).partials[0] as StreamPartial;

  it('closes after the gap, merges sessions a late event bridges (the later one superseded), splits at maxDuration, and counts a redelivery once', () => {
    let state: StreamState = initialStreamState();
    const closed: StoredClosedWindow[] = [];
    const feed = (p: StreamPartial) => {
      const m = mergePartial(state, p, p.processedAt, pipeline.config);
      state = m.state;
      closed.push(...m.closedWindows);
      return m.outcome;
    };
    feed(batch(0, [0, 5, 20, 22])); // sessions [10:00, 10:15) and [10:20, 10:32)
    feed(batch(4, [13])); // late, but within lateness: bridges both (committed with the next batch)
    expect(feed(batch(5, [50, 62]))).toBe('committed-previous'); // 10:50 ends at the 11:00 boundary; 11:02 starts anew
    expect(feed(batch(5, [50, 62]))).toBe('replaced'); // the same batch redelivered
    feed(batch(7, [180]));
    feed(batch(8, [181]));
    const at = (t: number) => (t - T0) / min;
    expect(
      closed.map((w) => ({
        start: at(w.start),
        end: at(w.end),
        events: w.events,
        clicks: w.measures['clicks']?.sum,
        pages: (closedWindowFromStored(w) as ClosedWindow).aggregates?.['pages']?.['estimate'],
        closedBy: w.closedBy,
        supersededBy: w.supersededBy === undefined ? undefined : at(w.supersededBy),
      })),
    ).toEqual([
      { start: 20, end: 32, events: 2, clicks: 2, pages: 2, closedBy: 'superseded', supersededBy: 0 },
      { start: 0, end: 32, events: 5, clicks: 5, pages: 5, closedBy: 'watermark', supersededBy: undefined },
      { start: 50, end: 60, events: 1, clicks: 1, pages: 1, closedBy: 'watermark', supersededBy: undefined },
      { start: 62, end: 72, events: 1, clicks: 1, pages: 1, closedBy: 'watermark', supersededBy: undefined },
    ]);
    expect(state.events).toBe(8);
    // The idle flush closes the open session like any window.
    const flushed = flushIdle(state, T0 + 4 * 3_600_000, 120_000);
    expect(flushed.closedWindows.map((w) => [at(w.start), w.events, w.closedBy])).toEqual([[180, 2, 'idle']]);
  });

  it('counts a fragment starting before a closed session as late at the entity', () => {
    let state: StreamState = initialStreamState();
    for (const p of [batch(0, [0]), batch(1, [100]), batch(2, [101])])
      state = mergePartial(state, p, p.processedAt, pipeline.config).state;
    expect(state.closedThrough).toBe(T0 + 10 * min);
    const late = batch(3, [5]); // dead-lettered by processBatch only with a stale watermark; the entity still refuses it
    state = mergePartial(state, late, late.processedAt, pipeline.config).state;
    state = mergePartial(state, batch(4, [102]), T0, pipeline.config).state;
    expect(state.lateAtEntity).toBe(1);
  });
});
