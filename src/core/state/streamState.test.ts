import fc from 'fast-check';

import { mergeAll, summarize } from '../aggregates';
import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline, compilePipeline } from '../pipelines';
import {
  catalogFigures,
  commitThrough,
  commitThroughInPlace,
  flushIdle,
  hasLiveWindow,
  initialStreamState,
  liveWindowCount,
  mergePartial,
  mergePartialInPlace,
  streamView,
} from './streamState';
import type { StoredClosedWindow, StreamState } from './types';

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

describe('rate samples', () => {
  it('keep only the latency quantiles, and the view reports the same recent p50/p99 as from the full aggregates', () => {
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' } });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 8,
        }),
        (lags) => {
          let state = initialStreamState();
          const partials: StreamPartial[] = [];
          let seq = 0;
          for (const batchLags of lags) {
            const partial = processBatch({
              bodies: batchLags.map((_, i) => JSON.stringify({ stream: 'a', time: T0 + i, value: i })),
              partitionId: '0',
              sequenceNumbers: batchLags.map(() => seq++),
              enqueuedTimes: batchLags.map((lag) => T0 + 600_000 - lag),
              pipelines: [cfg],
              now: T0 + 600_000,
            }).partials[0] as StreamPartial;
            partials.push(partial);
            state = mergePartial(state, partial, T0 + 600_000, cfg.config).state;
          }
          for (const sample of state.samples)
            expect(sample.latency).toMatchObject({ sum: 0, mean: 0, m2: 0, first: null, last: null });
          const full = summarize(mergeAll(partials.map((p) => p.latency)));
          const view = streamView(state);
          expect([view.metrics.latencyP50, view.metrics.latencyP99]).toEqual([full.p50, full.p99]);
          expect(full.count).toBe(lags.flat().length);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('mergePartial', () => {
  const p = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT10S', retention: 5 });
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
    const closed: StoredClosedWindow[] = [];
    for (let i = 0; i < 10; i++) {
      const r = mergePartial(s, batch(p, '0', spread, i, i)[0] as StreamPartial, T0, p.config);
      s = r.state;
      closed.push(...r.closedWindows);
    }
    // Batch i commits when batch i+1 arrives: committed watermark T0 + 8 min closes windows ending by T0 + 7 min 50 s.
    expect(closed.map((w) => (w.start - T0) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(closed[0]).toMatchObject({
      pipeline: 'p',
      stream: 's',
      events: 1,
      closedBy: 'watermark',
      measures: { value: { count: 1, sum: 0, min: 0, max: 0 } },
    });
    // The stored form: the aggregate only, its summary derived on read.
    expect(closed[0]?.measures['value']).not.toHaveProperty('p50');
    expect(streamView(s).windows.map((w) => (w.start - T0) / 60_000)).toEqual([9, 8, 7]);

    const tight = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT1H', retention: 2 });
    let t = initialStreamState();
    const evicted: StoredClosedWindow[] = [];
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
  const step = fc.record({
    len: fc.integer({ min: 1, max: 6 }),
    crash: fc.boolean(),
    replayLen: fc.integer({ min: 1, max: 8 }),
    duplicate: fc.boolean(),
  });
  const event = fc.record({
    stream: fc.constantFrom('a', 'b'),
    time: fc.integer({ min: T0, max: T0 + 8 * 60_000 }),
    value: fc.integer({ min: -50, max: 50 }),
  });

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
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT20S', retention: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { maxLength: 25 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (partitions, plans, picks) => {
          const queues = partitions.map((evs, i) => deliveries(cfg, String(i), evs, plans[i] ?? []));
          const states = new Map<string, StreamState>();
          const closed: StoredClosedWindow[] = [];
          let pick = 0;
          while (queues.some((q) => q.length > 0)) {
            const live = queues.filter((q) => q.length > 0);
            const queue = live[(picks[pick++] ?? 0) % live.length] as StreamPartial[];
            const partial = queue.shift() as StreamPartial;
            const before = states.get(partial.stream) ?? initialStreamState();
            const r = mergePartial(before, partial, T0, cfg.config);
            // The entity's in-place variant on its own copy gives the same result.
            expect(mergePartialInPlace(structuredClone(before), partial, T0, cfg.config)).toEqual(r);
            states.set(partial.stream, r.state);
            closed.push(...r.closedWindows);
            // The catalog's figures (computed without the view's sketch work) are the view's, pending partials included.
            const v = streamView(r.state);
            expect(catalogFigures(r.state)).toEqual({
              events: v.events,
              maxEventTime: v.maxEventTime,
              eventsPerSec: v.metrics.eventsPerSec,
            });
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
  /** One partition's operations as ingest sends them: merges, plus commits when the trigger moved past a batch. */
  type Op =
    | { kind: 'merge'; partial: StreamPartial }
    | { kind: 'commit'; stream: string; partition: string; first: number; last: number }
    | { kind: 'flush'; stream: string };
  function operations(
    p: CompiledPipeline,
    partition: string,
    events: Ev[],
    steps: Step[],
    flushAfterSafeBatches = false,
  ): Op[] {
    const out: Op[] = [];
    // Ingest's process-local memory of the partition's previous batch; a crash starts a new process without it.
    let prev: { first: number; last: number; streams: Set<string> } | undefined;
    const deliver = (first: number, last: number): StreamPartial[] => {
      const partials = batch(p, partition, events, first, last);
      const streams = new Set(partials.map((x) => x.stream));
      out.push(...partials.map((partial) => ({ kind: 'merge' as const, partial })));
      if (prev && first > prev.last) {
        for (const stream of prev.streams)
          if (!streams.has(stream)) out.push({ kind: 'commit', stream, partition, first: prev.first, last: prev.last });
      }
      prev = { first, last, streams };
      return partials;
    };
    let pos = 0;
    let k = 0;
    // A crash leaves partials of the cut-short delivery pending until the trigger has re-read its whole range.
    let rereadThrough = -1;
    while (pos < events.length) {
      const s = steps[k++ % Math.max(1, steps.length)] ?? { len: 3, crash: false, replayLen: 1, duplicate: false };
      const end = Math.min(events.length - 1, pos + s.len - 1);
      const partials = deliver(pos, end);
      if (s.duplicate) out.push(...partials.map((partial) => ({ kind: 'merge' as const, partial })));
      if (s.crash) {
        prev = undefined;
        const replayEnd = Math.min(events.length - 1, pos + s.replayLen - 1);
        deliver(pos, replayEnd);
        rereadThrough = Math.max(rereadThrough, end);
        pos = replayEnd + 1;
      } else {
        pos = end + 1;
      }
      // With one partition, once nothing delivered can be delivered again (the batch is checkpointed, a crashed
      // delivery is fully re-read), the idle timeout may elapse: flush.
      if (flushAfterSafeBatches && !s.crash && pos > rereadThrough)
        for (const stream of ['a', 'b']) out.push({ kind: 'flush', stream });
    }
    return out;
  }

  interface Run {
    states: Map<string, StreamState>;
    closed: StoredClosedWindow[];
    commits: number;
  }
  function apply(cfg: CompiledPipeline, queues: Op[][], picks: number[]): Run {
    const states = new Map<string, StreamState>();
    const closed: StoredClosedWindow[] = [];
    let commits = 0;
    let pick = 0;
    while (queues.some((q) => q.length > 0)) {
      const live = queues.filter((q) => q.length > 0);
      const queue = live[(picks[pick++] ?? 0) % live.length] as Op[];
      const op = queue.shift() as Op;
      const stream = op.kind === 'merge' ? op.partial.stream : op.stream;
      const state = states.get(stream);
      if (op.kind === 'merge') {
        const r = mergePartial(state ?? initialStreamState(), op.partial, T0, cfg.config);
        states.set(stream, r.state);
        closed.push(...r.closedWindows);
      } else if (state && op.kind === 'commit') {
        const r = commitThrough(
          state,
          op.partition,
          { firstSequence: op.first, lastSequence: op.last },
          T0,
          cfg.config,
        );
        expect(
          commitThroughInPlace(
            structuredClone(state),
            op.partition,
            { firstSequence: op.first, lastSequence: op.last },
            T0,
            cfg.config,
          ),
        ).toEqual(r);
        if (r.outcome === 'committed') commits++;
        states.set(stream, r.state);
        closed.push(...r.closedWindows);
      } else if (state && op.kind === 'flush') {
        const r = flushIdle(state, T0 + 60_000, 60_000);
        states.set(stream, r.state);
        closed.push(...r.closedWindows);
      }
    }
    return { states, closed, commits };
  }

  function expectExact(partitions: Ev[][], run: Run): void {
    for (const stream of ['a', 'b']) {
      const distinct = partitions.flat().filter((e) => e.stream === stream);
      const state = run.states.get(stream);
      if (distinct.length === 0) {
        expect(state).toBeUndefined();
        continue;
      }
      const view = streamView(state as StreamState);
      expect(view.events).toBe(distinct.length);
      expect(view.totals['value']?.count).toBe(distinct.length);
      expect(view.totals['value']?.sum).toBe(distinct.reduce((n, e) => n + e.value, 0));
      expect(view.metrics.conflicts).toBe(0);
      const mine = run.closed.filter((w) => w.stream === stream);
      expect(new Set(mine.map((w) => w.start)).size).toBe(mine.length);
      const inWindows = mine.reduce((n, w) => n + w.events, 0) + view.windows.reduce((n, w) => n + w.events, 0);
      expect(inWindows + view.metrics.lateAtEntity).toBe(distinct.length);
      expect(liveWindowCount(state as StreamState)).toBe(view.windows.length);
      expect(hasLiveWindow(state as StreamState)).toBe(view.windows.length > 0);
    }
  }

  it('commit operations sent on checkpoint progress never change the exact counts, even reordered against merges, and a final idle flush closes every window once', () => {
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT20S', retention: 4 });
    let committedSomething = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { maxLength: 25 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 300 }),
        (partitions, plans, picks) => {
          // Each partition's commits travel in their own queue: they may arrive before or after any merge.
          const ops = partitions.map((evs, i) => operations(cfg, String(i), evs, plans[i] ?? []));
          const queues = ops.flatMap((o) => [
            o.filter((x) => x.kind !== 'commit'),
            o.filter((x) => x.kind === 'commit'),
          ]);
          const run = apply(cfg, queues, picks);
          committedSomething += run.commits;
          expectExact(partitions, run);
          // Once every delivery is in, the idle flush commits what is pending and closes every live window.
          for (const [stream, state] of run.states) {
            const r = flushIdle(state, T0 + 60_000, 60_000);
            run.states.set(stream, r.state);
            run.closed.push(...r.closedWindows);
            expect(Object.values(r.state.partitions).every((p) => p.pending === null)).toBe(true);
            expect(streamView(r.state).windows).toEqual([]);
            expect(r.closedWindows.every((w) => w.closedBy === 'idle')).toBe(true);
          }
          expectExact(partitions, run);
        },
      ),
      { numRuns: 150 },
    );
    // The generator does exercise the commit path.
    expect(committedSomething).toBeGreaterThan(0);
  });

  it('idle flushes between batches that will not be redelivered keep every count exact (one partition)', () => {
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT20S', retention: 4 });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 30 }),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        (events, plan) => {
          const run = apply(cfg, [operations(cfg, '0', events, plan, true)], []);
          expectExact([events], run);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('commitThrough commits only a pending partial of exactly the checkpointed batch', () => {
    const spread: Ev[] = Array.from({ length: 4 }, (_, i) => ({ stream: 's', time: T0 + i * 60_000, value: i + 1 }));
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT10S', retention: 10 });
    const empty = initialStreamState();
    const range = (firstSequence: number, lastSequence: number) => ({ firstSequence, lastSequence });
    expect(commitThrough(empty, '0', range(0, 10), T0, cfg.config).outcome).toBe('nothing-pending');
    let s = mergePartial(empty, batch(cfg, '0', spread, 0, 0)[0] as StreamPartial, T0, cfg.config).state;
    s = mergePartial(s, batch(cfg, '0', spread, 1, 3)[0] as StreamPartial, T0, cfg.config).state;
    // Batch 1-3 is pending: a commit for any other range leaves it pending.
    for (const other of [range(0, 0), range(1, 2), range(1, 4), range(2, 3), range(4, 9)]) {
      const r = commitThrough(s, '0', other, T0, cfg.config);
      expect([other, r.outcome, r.state === s]).toEqual([other, 'not-covered', true]);
    }
    const r = commitThrough(s, '0', range(1, 3), T0, cfg.config);
    expect(r.outcome).toBe('committed');
    expect(r.state.partitions['0']).toEqual({
      committed: 3,
      pending: null,
      watermark: T0 + 3 * 60_000,
      lastMergeAt: T0,
    });
    expect(r.state.events).toBe(4);
    // Committed watermark T0 + 3 min closes the windows ending more than the lateness before it: minutes 0 and 1.
    expect(r.closedWindows.map((w) => [(w.start - T0) / 60_000, w.closedBy])).toEqual([
      [0, 'watermark'],
      [1, 'watermark'],
    ]);
    // A duplicate of the committed batch is ignored as before.
    expect(mergePartial(r.state, batch(cfg, '0', spread, 1, 3)[0] as StreamPartial, T0, cfg.config).outcome).toBe(
      'ignored',
    );
    expect(JSON.stringify(s)).not.toBe(JSON.stringify(r.state));
  });

  it('flushIdle waits for the idle timeout, then closes every window once; a stream that comes back works as before', () => {
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT10M', retention: 10 });
    const evs: Ev[] = [
      { stream: 's', time: T0 + 1000, value: 1 },
      { stream: 's', time: T0 + 61_000, value: 2 },
      { stream: 's', time: T0 + 62_000, value: 3 },
      // after the flush: one event for the flushed minute 1 (late at the entity), one for minute 5 (new window)
      { stream: 's', time: T0 + 63_000, value: 100 },
      { stream: 's', time: T0 + 5 * 60_000, value: 7 },
    ];
    const seen = T0 + 3_600_000;
    let s = mergePartial(initialStreamState(), batch(cfg, '1', evs, 0, 1)[0] as StreamPartial, seen, cfg.config).state;
    s = mergePartial(s, batch(cfg, '1', evs, 2, 2)[0] as StreamPartial, seen, cfg.config).state;
    expect(flushIdle(s, seen + 59_999, 60_000).outcome).toBe('active');
    expect(flushIdle(s, seen + 60_000, 0).outcome).toBe('disabled');
    const r = flushIdle(s, seen + 60_000, 60_000);
    expect(r.outcome).toBe('flushed');
    expect(
      r.closedWindows.map((w) => ({
        start: w.start - T0,
        events: w.events,
        sum: w.measures['value']?.sum,
        closedBy: w.closedBy,
        closedAt: w.closedAt,
      })),
    ).toEqual([
      { start: 0, events: 1, sum: 1, closedBy: 'idle', closedAt: seen + 60_000 },
      { start: 60_000, events: 2, sum: 5, closedBy: 'idle', closedAt: seen + 60_000 },
    ]);
    expect(r.state.partitions['1']).toEqual({ committed: 2, pending: null, watermark: T0 + 62_000, lastMergeAt: T0 });
    expect(liveWindowCount(r.state)).toBe(0);
    expect(hasLiveWindow(r.state)).toBe(false);
    expect(flushIdle(r.state, seen + 120_000, 60_000).outcome).toBe('nothing-open');

    // Back again: a new batch of the same partition is pending as usual, the old minute counts as late at the entity.
    const back = mergePartial(r.state, batch(cfg, '1', evs, 3, 4)[0] as StreamPartial, seen + 200_000, cfg.config);
    expect(back.outcome).toBe('pending');
    const view = streamView(back.state);
    expect(view).toMatchObject({ events: 5, metrics: { lateAtEntity: 1 } });
    expect(view.windows.map((w) => [(w.start - T0) / 60_000, w.events])).toEqual([[5, 1]]);
    const again = flushIdle(back.state, seen + 260_000, 60_000);
    expect(again.closedWindows.map((w) => [(w.start - T0) / 60_000, w.events])).toEqual([[5, 1]]);
    expect(again.state.lateAtEntity).toBe(1);
  });

  it('the residual risk: a redelivery longer than a flushed batch is not double counted, its extra events are lost and counted in conflicts', () => {
    const cfg = pipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT10M', retention: 10 });
    const evs: Ev[] = Array.from({ length: 6 }, (_, i) => ({ stream: 's', time: T0 + i * 1000, value: i + 1 }));
    let s = mergePartial(initialStreamState(), batch(cfg, '0', evs, 0, 2)[0] as StreamPartial, T0, cfg.config).state;
    s = flushIdle(s, T0 + 120_000, 60_000).state;
    // The host crashed before checkpointing 0-2 and came back after the flush with a longer batch 0-5.
    const r = mergePartial(s, batch(cfg, '0', evs, 0, 5)[0] as StreamPartial, T0 + 130_000, cfg.config);
    expect(r.outcome).toBe('ignored');
    expect(streamView(r.state)).toMatchObject({ events: 3, metrics: { conflicts: 1, duplicates: 0 } });
    // A plain duplicate of the flushed batch is still just a duplicate.
    const dup = mergePartial(s, batch(cfg, '0', evs, 0, 2)[0] as StreamPartial, T0 + 130_000, cfg.config);
    expect(streamView(dup.state)).toMatchObject({ events: 3, metrics: { conflicts: 0, duplicates: 1 } });
  });
});
