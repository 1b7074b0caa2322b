import fc from 'fast-check';

import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline,compilePipeline } from '../pipelines';
import { initialStreamState, mergePartial, streamView } from './streamState';
import type { ClosedWindow, StreamState } from './types';

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const T0 = Date.parse('2026-11-26T10:00:00Z');

interface Ev {
  stream: string;
  time: number;
  value: number;
}

function batch(p: CompiledPipeline, partition: string, events: Ev[], first: number, last: number): StreamPartial[] {
  const slice = events.slice(first, last + 1);
  return processBatch({
    bodies: slice.map((e) => JSON.stringify(e)),
    partitionId: partition,
    sequenceNumbers: slice.map((_, i) => first + i),
    enqueuedTimes: slice.map(() => T0),
    pipelines: [p],
    now: T0,
  }).partials;
}

describe('mergePartial', () => {
  const p = pipeline({ name: 'p', window: { size: '1m' }, allowedLateness: '10s', retention: 5 });
  const events: Ev[] = Array.from({ length: 10 }, (_, i) => ({ stream: 's', time: T0 + i * 1000, value: i + 1 }));
  const one = (first: number, last: number) => batch(p, '0', events, first, last)[0] as StreamPartial;

  it('keeps the latest partial pending, replaces it on redelivery and commits it when a newer batch arrives', () => {
    let s = initialStreamState();
    const step = (partial: StreamPartial) => {
      const r = mergePartial(s, partial, T0, p.config);
      s = r.state;
      return r.outcome;
    };
    expect(step(one(0, 3))).toBe('pending');
    expect(streamView(s).events).toBe(4);
    expect(s.events).toBe(0);
    expect(step(one(0, 5))).toBe('replaced');
    expect(streamView(s).totals['value']?.sum).toBe(21);
    expect(step(one(6, 7))).toBe('committed-previous');
    expect(s.partitions['0']?.committed).toBe(5);
    expect(step(one(0, 5))).toBe('ignored');
    expect(step(one(6, 7))).toBe('replaced');
    expect(streamView(s).totals['value']).toMatchObject({ count: 8, sum: 36 });
  });

  it('does not modify its input state', () => {
    const s0 = initialStreamState();
    const frozen = JSON.stringify(s0);
    mergePartial(s0, one(0, 3), T0, p.config);
    expect(JSON.stringify(s0)).toBe(frozen);
  });

  it('supersedes a pending partial when a shorter replay skipped its events and the next batch re-reads them', () => {
    const mixed: Ev[] = [
      { stream: 'other', time: T0, value: 1 },
      { stream: 'other', time: T0, value: 1 },
      { stream: 's', time: T0, value: 5 },
      { stream: 's', time: T0, value: 7 },
    ];
    let s = initialStreamState();
    // Original batch 0-3 reached the entity, the replay 0-1 has no events of 's', the next batch 2-3 re-reads them.
    s = mergePartial(s, batch(p, '0', mixed, 0, 3).find((x) => x.stream === 's') as StreamPartial, T0, p.config).state;
    const r = mergePartial(s, batch(p, '0', mixed, 2, 3)[0] as StreamPartial, T0, p.config);
    expect(r.outcome).toBe('replaced');
    expect(streamView(r.state).totals['value']).toMatchObject({ count: 2, sum: 12 });
  });

  it('closes windows once the committed watermark passes end + lateness, and bounds live windows by retention', () => {
    const spread: Ev[] = Array.from({ length: 10 }, (_, i) => ({ stream: 's', time: T0 + i * 60_000, value: i }));
    let s = initialStreamState();
    const closed: ClosedWindow[] = [];
    for (let i = 0; i < 10; i++) {
      const r = mergePartial(s, batch(p, '0', spread, i, i)[0] as StreamPartial, T0, p.config);
      s = r.state;
      closed.push(...r.closedWindows);
    }
    // Batch i commits when batch i+1 arrives: committed watermark T0 + 8 min closes windows ending by T0 + 7 min 50 s.
    expect(closed.map((w) => (w.start - T0) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(closed[0]).toMatchObject({ pipeline: 'p', stream: 's', events: 1, closedBy: 'watermark', measures: { value: { count: 1, sum: 0, p50: 0 } } });
    expect(streamView(s).windows.map((w) => (w.start - T0) / 60_000)).toEqual([9, 8, 7]);

    const tight = pipeline({ name: 'p', window: { size: '1m' }, allowedLateness: '1h', retention: 2 });
    let t = initialStreamState();
    const evicted: ClosedWindow[] = [];
    for (let i = 0; i < 6; i++) {
      const r = mergePartial(t, batch(tight, '0', spread, i, i)[0] as StreamPartial, T0, tight.config);
      t = r.state;
      evicted.push(...r.closedWindows);
    }
    expect(evicted.every((w) => w.closedBy === 'retention')).toBe(true);
    expect(Object.keys(t.windows).length).toBeLessThanOrEqual(2);
  });

  interface Step {
    len: number;
    crash: boolean;
    replayLen: number;
    duplicate: boolean;
  }
  const step = fc.record({ len: fc.integer({ min: 1, max: 6 }), crash: fc.boolean(), replayLen: fc.integer({ min: 1, max: 8 }), duplicate: fc.boolean() });
  const event = fc.record({ stream: fc.constantFrom('a', 'b'), time: fc.integer({ min: T0, max: T0 + 8 * 60_000 }), value: fc.integer({ min: -50, max: 50 }) });

  /** One partition's deliveries: each batch may be signalled twice and may "crash" so the replay starts at the same sequence with another end. */
  function deliveries(p: CompiledPipeline, partition: string, events: Ev[], steps: Step[]): StreamPartial[] {
    const out: StreamPartial[] = [];
    let pos = 0;
    let k = 0;
    while (pos < events.length) {
      const s = steps[k++ % Math.max(1, steps.length)] ?? { len: 3, crash: false, replayLen: 1, duplicate: false };
      const end = Math.min(events.length - 1, pos + s.len - 1);
      const partials = batch(p, partition, events, pos, end);
      out.push(...partials);
      if (s.duplicate) out.push(...partials);
      if (s.crash) {
        const replayEnd = Math.min(events.length - 1, pos + s.replayLen - 1);
        out.push(...batch(p, partition, events, pos, replayEnd));
        pos = replayEnd + 1;
      } else {
        pos = end + 1;
      }
    }
    return out;
  }

  it('counts every distinct event exactly once under redelivery, duplicates and cross-partition interleaving', () => {
    const cfg = pipeline({ name: 'p', window: { size: '1m' }, allowedLateness: '20s', retention: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { maxLength: 25 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (partitions, plans, picks) => {
          const queues = partitions.map((evs, i) => deliveries(cfg, String(i), evs, plans[i] ?? []));
          const states = new Map<string, StreamState>();
          const closed: ClosedWindow[] = [];
          let pick = 0;
          while (queues.some((q) => q.length > 0)) {
            const live = queues.filter((q) => q.length > 0);
            const queue = live[(picks[pick++] ?? 0) % live.length] as StreamPartial[];
            const partial = queue.shift() as StreamPartial;
            const r = mergePartial(states.get(partial.stream) ?? initialStreamState(), partial, T0, cfg.config);
            states.set(partial.stream, r.state);
            closed.push(...r.closedWindows);
          }
          for (const stream of ['a', 'b']) {
            const distinct = partitions.flat().filter((e) => e.stream === stream);
            const state = states.get(stream);
            if (distinct.length === 0) {
              expect(state).toBeUndefined();
              continue;
            }
            const view = streamView(state as StreamState);
            expect(view.events).toBe(distinct.length);
            expect(view.totals['value']?.count).toBe(distinct.length);
            expect(view.totals['value']?.sum).toBe(distinct.reduce((n, e) => n + e.value, 0));
            expect(view.metrics.conflicts).toBe(0);
            const mine = closed.filter((w) => w.stream === stream);
            expect(new Set(mine.map((w) => w.start)).size).toBe(mine.length);
            const inWindows = mine.reduce((n, w) => n + w.events, 0) + view.windows.reduce((n, w) => n + w.events, 0);
            expect(inWindows + view.metrics.lateAtEntity).toBe(distinct.length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
