import { processBatch, type StreamPartial } from '../batch';
import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { mulberry32 } from '../random/prng';
import {
  commitThrough,
  flushIdle,
  HELD_WINDOWS_FACTOR,
  initialStreamState,
  mergePartial,
  streamView,
} from './streamState';
import type { StoredClosedWindow, StreamState } from './types';

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const PARTITIONS = 4;
const hourly = pipeline({ name: 'h', window: { type: 'tumbling', size: 'PT1H' }, lateness: 'PT5M', retention: 10_000 });

/** A deterministic PRNG, so the schedule is the same on every run. */
const prng = mulberry32;

interface Sent {
  body: string;
  /** Hub enqueued time: sends go out while the history is replayed, "now". */
  enqueued: number;
}

interface Run {
  late: number;
  future: number;
  deadLetters: { reason: string; raw: string }[];
  closed: StoredClosedWindow[];
  states: Map<string, StreamState>;
}

/**
 * Replays `byPartition` the way the app does: partitions consumed independently in uneven batches, ingest judging
 * lateness with `mark` (per partition and stream, or the old per-stream max over partitions), each partial merged
 * into its stream's state with ingest's clock, then an idle flush.
 */
function replay(
  byPartition: Sent[][],
  mark: 'partition' | 'stream',
  seed: number,
  harsh = false,
  start: { lagging?: { partition: number; rounds: number }; partitionCount?: number } = {},
): Run {
  const random = prng(seed);
  const marks = new Map<string, number>();
  // As ingest's WatermarkCache.progressFor: every partition's progress over all streams, sent with each partial.
  const reports = new Map<string, { watermark: number; at: number }>();
  let round = 0;
  const states = new Map<string, StreamState>();
  const closed: StoredClosedWindow[] = [];
  const deadLetters: Run['deadLetters'] = [];
  const pos = byPartition.map(() => 0);
  let late = 0;
  let future = 0;
  let clock = Date.parse('2026-12-07T04:00:00Z');
  while (pos.some((p, i) => p < (byPartition[i] as Sent[]).length)) {
    // Each round every partition's consumer delivers one batch, in a random order; partition 0's batches are twice as
    // large, so it runs ahead in event time (the case that made the old rule call half a sorted replay late).
    // Harsh: after a first round, one partition at a time at random, partition 0 picked far more often, batches of
    // 1 to 60 mostly small: partitions drift apart by many batches.
    // A lagging pump: that partition delivers nothing during the first rounds (the host's pumps start unevenly).
    const started = (i: number) =>
      start.lagging === undefined || start.lagging.partition !== i || round >= start.lagging.rounds;
    const open = pos.flatMap((p, i) => (p < (byPartition[i] as Sent[]).length && started(i) ? [i] : []));
    if (!harsh) round++;
    const picks =
      !harsh || round++ === 0
        ? open.sort(() => random() - 0.5)
        : [open[Math.floor(random() * open.length)] as number, ...(open.includes(0) && random() < 0.6 ? [0] : [])];
    for (const partition of picks) {
      const events = byPartition[partition] as Sent[];
      const size = harsh
        ? 1 + Math.floor(random() * random() * 60)
        : (partition === 0 ? 2 : 1) * (1 + Math.floor(random() * 40));
      const first = pos[partition] as number;
      const slice = events.slice(first, first + size);
      pos[partition] = first + slice.length;
      clock += 10;
      // As ingest's WatermarkCache: per (partition, pipeline, stream) now; before, per (pipeline, stream) over all partitions.
      const key = (pipelineName: string, stream: string) =>
        mark === 'partition' ? `${partition}|${pipelineName}|${stream}` : `${pipelineName}|${stream}`;
      const result = processBatch({
        bodies: slice.map((e) => e.body),
        partitionId: String(partition),
        sequenceNumbers: slice.map((_, i) => first + i),
        enqueuedTimes: slice.map((e) => e.enqueued),
        pipelines: [hourly],
        watermarks: (p, s) => marks.get(key(p, s)),
        ...(mark === 'partition' ? { progress: () => Object.fromEntries(reports) } : {}),
        ...(start.partitionCount === undefined ? {} : { partitionCount: start.partitionCount }),
        now: clock,
      });
      late += result.metrics.byReason.late;
      future += result.metrics.byReason.future;
      deadLetters.push(...result.deadLetters.map((d) => ({ reason: d.reason, raw: d.raw })));
      for (const partial of result.partials) {
        const r = mergePartial(
          states.get(partial.stream) ?? initialStreamState(),
          partial as StreamPartial,
          clock,
          hourly.config,
        );
        states.set(partial.stream, r.state);
        closed.push(...r.closedWindows);
      }
      // After the batch's operations were sent, as ingest does.
      for (const partial of result.partials) {
        if (partial.maxEventTime === null) continue;
        marks.set(
          key(partial.pipeline, partial.stream),
          Math.max(marks.get(key(partial.pipeline, partial.stream)) ?? -Infinity, partial.maxEventTime),
        );
        reports.set(String(partition), {
          watermark: Math.max(reports.get(String(partition))?.watermark ?? partial.maxEventTime, partial.maxEventTime),
          at: clock,
        });
      }
    }
  }
  for (const [stream, state] of states) {
    const r = flushIdle(state, clock + hourly.config.idleTimeoutMs, hourly.config.idleTimeoutMs);
    states.set(stream, r.state);
    closed.push(...r.closedWindows);
  }
  return { late, future, deadLetters, closed, states };
}

/** A time-sorted history: `n` events over 60 days, streams of skewed sizes, spread round-robin over the partitions. */
function history(
  n: number,
  seed: number,
  pick: (r: number) => string = (r) => (r < 0.5 ? 'a' : r < 0.8 ? 'b' : 'c'),
): { byPartition: Sent[][]; expected: Map<string, number>; events: { stream: string; time: number }[] } {
  const random = prng(seed);
  const enqueued = Date.parse('2026-12-07T04:00:00Z');
  // Skewed stream sizes (by default about 50 %, 30 %, 20 %).
  const events = Array.from({ length: n }, () => ({
    stream: pick(random()),
    time: T0 + Math.floor(random() * 60 * 24 * HOUR),
  }));
  events.sort((x, y) => x.time - y.time);
  const byPartition: Sent[][] = Array.from({ length: PARTITIONS }, () => []);
  const expected = new Map<string, number>();
  events.forEach((e, i) => {
    (byPartition[i % PARTITIONS] as Sent[]).push({
      body: JSON.stringify({ stream: e.stream, time: new Date(e.time).toISOString(), value: 1 }),
      enqueued: enqueued + i,
    });
    const k = `${e.stream}|${e.time - (e.time % HOUR)}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  });
  return { byPartition, expected, events };
}

const windowCounts = (closed: readonly StoredClosedWindow[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const w of closed) {
    const k = `${w.stream}|${w.start}`;
    expect(out.has(k)).toBe(false);
    out.set(k, w.events);
  }
  return out;
};

describe('event time per partition', () => {
  it('a time-sorted history spread round-robin over 4 partitions with uneven batches: 0 late, exact hourly windows', () => {
    const { byPartition, expected } = history(4000, 7);
    for (const seed of [1, 2, 3]) {
      const run = replay(byPartition, 'partition', seed);
      expect({ seed, late: run.late, deadLetters: run.deadLetters.length }).toEqual({ seed, late: 0, deadLetters: 0 });
      expect(windowCounts(run.closed)).toEqual(expected);
      // Windows did close on the stream watermark while the replay ran, not only at the final idle flush.
      expect(run.closed.filter((w) => w.closedBy === 'watermark').length).toBeGreaterThan(expected.size / 2);
      for (const state of run.states.values())
        expect(streamView(state).metrics).toMatchObject({ late: 0, lateAtEntity: 0, conflicts: 0 });
    }
    // The old rule (one watermark per stream, max over partitions) makes a large share of the same history "late".
    expect(replay(byPartition, 'stream', 1).late).toBeGreaterThan(400);
  });

  it('partitions drifting many batches apart, with a rare stream: its windows wait for partitions that have not sent it anything yet', () => {
    // Stream c is about 6 % of the history: a partition's first event of it comes long after the others' first.
    const { byPartition, expected } = history(4000, 7, (r) => (r < 0.7 ? 'a' : r < 0.94 ? 'b' : 'c'));
    for (const seed of [1, 2]) {
      const run = replay(byPartition, 'partition', seed, true);
      expect({ seed, late: run.late, deadLetters: run.deadLetters.length }).toEqual({ seed, late: 0, deadLetters: 0 });
      expect(windowCounts(run.closed)).toEqual(expected);
      for (const state of run.states.values())
        expect(streamView(state).metrics).toMatchObject({ late: 0, lateAtEntity: 0, conflicts: 0 });
    }
  });

  it("a partition whose pump starts late: with the hub's partition count its windows wait for it; without, a rare stream's close too early", () => {
    // Stream c is about 2 % of the history; partition 3 delivers nothing during the first 60 rounds (about 40 % of
    // the history on the others), as a host whose pumps start unevenly: no process has reported it yet.
    const { byPartition, expected } = history(4000, 7, (r) => (r < 0.7 ? 'a' : r < 0.98 ? 'b' : 'c'));
    const lagging = { partition: 3, rounds: 60 };
    for (const seed of [1, 2, 3]) {
      const run = replay(byPartition, 'partition', seed, false, { lagging, partitionCount: PARTITIONS });
      expect({ seed, late: run.late, deadLetters: run.deadLetters.length }).toEqual({ seed, late: 0, deadLetters: 0 });
      expect(windowCounts(run.closed)).toEqual(expected);
      for (const state of run.states.values())
        expect(streamView(state).metrics).toMatchObject({ late: 0, lateAtEntity: 0, conflicts: 0 });
      // Still closed on the watermark while the replay ran, once partition 3 was heard of.
      expect(run.closed.filter((w) => w.closedBy === 'watermark').length).toBeGreaterThan(expected.size / 2);
    }
    // Without the count (the rule before): windows close before partition 3 has said anything, and its events for
    // them reach the entity too late (lateAtEntity), so windows are missing events.
    const before = replay(byPartition, 'partition', 1, false, { lagging });
    const lateAtEntity = [...before.states.values()].reduce((n, st) => n + streamView(st).metrics.lateAtEntity, 0);
    expect(lateAtEntity).toBeGreaterThan(0);
    expect(windowCounts(before.closed)).not.toEqual(expected);
  });

  it('an unheard-of partition of the hub stops holding after idleTimeout from when the count was first known', () => {
    const cfg = pipeline({
      name: 'h',
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
      idleTimeout: 'PT1M',
    });
    const at = Date.parse('2026-12-07T04:00:00Z');
    const partial = (seq: number, time: number, processedAt: number): StreamPartial =>
      processBatch({
        bodies: [JSON.stringify({ stream: 's', time, value: 1 })],
        partitionId: '0',
        sequenceNumbers: [seq],
        enqueuedTimes: [at],
        pipelines: [cfg],
        partitionCount: 2,
        now: processedAt,
      }).partials[0] as StreamPartial;
    let s = initialStreamState();
    const merge = (p: StreamPartial) => {
      const r = mergePartial(s, p, p.processedAt, cfg.config);
      s = r.state;
      return r.closedWindows.map((w) => (w.start - T0) / HOUR);
    };
    expect(merge(partial(0, T0, at))).toEqual([]);
    expect(merge(partial(1, T0 + 2 * HOUR, at + 1000))).toEqual([]);
    expect(merge(partial(2, T0 + 3 * HOUR, at + 2000))).toEqual([]);
    // Partition 1 has never been heard of: hours 0 and 2 stay open although partition 0 is far past them.
    expect(s.hubPartitions).toEqual({ count: 2, since: at });
    expect(s.watermark).toBeNull();
    // A minute (idleTimeout) after the count was first known, partition 1 is idle: partition 0 alone moves the watermark
    // (its committed progress, 3 h: hour 0 closes, hour 2 waits for lateness).
    expect(merge(partial(3, T0 + 3 * HOUR + 1, at + 60_000))).toEqual([0]);
    expect(s.watermark).toBe(T0 + 3 * HOUR);
  });

  it('partitions drifting more than `retention` windows apart: the windows the slowest still fills stay open', () => {
    // Retention 5 hourly windows; each batch of a partition spans 4 hours, so partitions one or two batches apart keep
    // more than 5 windows of a stream open. Before, the oldest were evicted (`retention`) and the slowest partition's
    // events for them reached the entity late; now `retention` bounds only the windows the stream watermark has
    // reached, and HELD_WINDOWS_FACTOR x retention all of them.
    const tight = pipeline({ name: 'h', window: { type: 'tumbling', size: 'PT1H' }, lateness: 'PT5M', retention: 5 });
    const at = Date.parse('2026-12-07T04:00:00Z');
    let s = initialStreamState();
    const closed: StoredClosedWindow[] = [];
    const send = (partition: string, seq: number, fromHour: number, processedAt: number) => {
      const bodies = [0, 1, 2, 3].map((h) =>
        JSON.stringify({ stream: 's', time: T0 + (fromHour + h) * HOUR + 60_000, value: 1 }),
      );
      const partial = processBatch({
        bodies,
        partitionId: partition,
        sequenceNumbers: [0, 1, 2, 3].map((i) => seq * 4 + i),
        enqueuedTimes: bodies.map(() => at),
        pipelines: [tight],
        now: processedAt,
      }).partials[0] as StreamPartial;
      const r = mergePartial(s, partial, processedAt, tight.config);
      s = r.state;
      closed.push(...r.closedWindows);
    };
    // Partition 0 runs two batches (8 hours) ahead of partition 1, which then catches up.
    let most = 0;
    const order: [string, number][] = [
      ['1', 0],
      ['0', 0],
      ['0', 1],
      ['0', 2],
      ['1', 1],
      ['1', 2],
      ['0', 3],
      ['1', 3],
      ['0', 4],
      ['1', 4],
    ];
    order.forEach(([partition, b], i) => {
      send(partition, b, b * 4, at + 1000 * i);
      most = Math.max(most, Object.keys(s.windows).length);
    });
    // More than `retention` windows were live at once (the old bound would have evicted the oldest).
    expect(most).toBeGreaterThan(5);
    expect(closed.filter((w) => w.closedBy === 'retention')).toEqual([]);
    expect(streamView(s).metrics.lateAtEntity).toBe(0);
    expect(closed.map((w) => (w.start - T0) / HOUR)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(closed.every((w) => w.events === 2)).toBe(true);
    expect(most).toBeLessThanOrEqual(HELD_WINDOWS_FACTOR * 5);
  });

  it('windows held by a partition that never catches up are still bounded: HELD_WINDOWS_FACTOR x retention', () => {
    const tight = pipeline({ name: 'h', window: { type: 'tumbling', size: 'PT1H' }, lateness: 'PT5M', retention: 2 });
    const at = Date.parse('2026-12-07T04:00:00Z');
    let s = initialStreamState();
    const closed: StoredClosedWindow[] = [];
    const send = (partition: string, seq: number, hour: number) => {
      const partial = processBatch({
        bodies: [JSON.stringify({ stream: 's', time: T0 + hour * HOUR, value: 1 })],
        partitionId: partition,
        sequenceNumbers: [seq],
        enqueuedTimes: [at],
        pipelines: [tight],
        now: at + seq,
      }).partials[0] as StreamPartial;
      const r = mergePartial(s, partial, at + seq, tight.config);
      s = r.state;
      closed.push(...r.closedWindows);
    };
    // Partition 1 stays at hour 0 (active: its news is recent); partition 0 runs 40 hours ahead (hours 1-39 committed,
    // with partition 1's hour 0: 40 windows, the oldest 20 evicted).
    send('1', 0, 0);
    send('1', 1, 0);
    for (let h = 1; h <= 40; h++) send('0', h, h);
    expect(s.watermark).toBe(T0);
    expect(Object.keys(s.windows).length).toBe(HELD_WINDOWS_FACTOR * 2);
    expect(closed.every((w) => w.closedBy === 'retention')).toBe(true);
    expect(closed.map((w) => (w.start - T0) / HOUR)).toEqual(
      Array.from({ length: 40 - HELD_WINDOWS_FACTOR * 2 }, (_, i) => i),
    );
  });

  it("an event dated 9999 (enqueued now) is dead-lettered future and leaves the stream's other events on time", () => {
    const { byPartition, expected } = history(2000, 11);
    const poison = JSON.stringify({ stream: 'a', time: '9999-01-01T00:00:00Z', value: 1 });
    (byPartition[2] as Sent[]).splice(100, 0, { body: poison, enqueued: Date.parse('2026-12-07T04:00:00Z') });
    const run = replay(byPartition, 'partition', 5);
    expect(run.deadLetters).toEqual([{ reason: 'future', raw: poison }]);
    expect(run.late).toBe(0);
    expect(windowCounts(run.closed)).toEqual(expected);
  });

  it('a partition behind the others holds the windows it still fills; once idle for idleTimeout it no longer does', () => {
    const cfg = pipeline({
      name: 'h',
      window: { type: 'tumbling', size: 'PT1H' },
      lateness: 'PT5M',
      idleTimeout: 'PT1M',
    }).config;
    const at = Date.parse('2026-12-07T04:00:00Z');
    const partial = (partition: string, seq: number, time: number, processedAt: number): StreamPartial =>
      processBatch({
        bodies: [JSON.stringify({ stream: 's', time, value: 1 })],
        partitionId: partition,
        sequenceNumbers: [seq],
        enqueuedTimes: [at],
        pipelines: [
          pipeline({ name: 'h', window: { type: 'tumbling', size: 'PT1H' }, lateness: 'PT5M', idleTimeout: 'PT1M' }),
        ],
        now: processedAt,
      }).partials[0] as StreamPartial;
    let s = initialStreamState();
    const merge = (p: StreamPartial) => {
      const r = mergePartial(s, p, p.processedAt, cfg);
      s = r.state;
      return r.closedWindows.map((w) => [(w.start - T0) / HOUR, w.closedBy]);
    };
    // Partition 1 sends hour 0 twice (the second commits the first); partition 0 runs ahead to hour 5.
    expect(merge(partial('1', 0, T0 + 10 * 60_000, at))).toEqual([]);
    expect(merge(partial('1', 1, T0 + 20 * 60_000, at + 1000))).toEqual([]);
    expect(merge(partial('0', 0, T0 + 5 * HOUR, at + 2000))).toEqual([]);
    expect(merge(partial('0', 1, T0 + 5 * HOUR + 1, at + 3000))).toEqual([]);
    // Stream watermark = min(partition 0: 5 h, partition 1: 0 h 10 min): hour 0 stays open for partition 1.
    expect(s.watermark).toBe(T0 + 10 * 60_000);
    expect(Object.keys(s.windows)).toHaveLength(2);
    // Partition 1 moves to hour 1 (its 0 h 20 min batch commits): hour 0 is still within lateness.
    expect(merge(partial('1', 2, T0 + HOUR + 1, at + 4000))).toEqual([]);
    // Partition 1 passes 1 h 05 min (committed once its next batch arrives): hour 0 closes on the watermark.
    expect(merge(partial('1', 3, T0 + HOUR + 6 * 60_000, at + 5000))).toEqual([]);
    expect(merge(partial('1', 4, T0 + HOUR + 7 * 60_000, at + 6000))).toEqual([[0, 'watermark']]);
    expect(s.watermark).toBe(T0 + HOUR + 6 * 60_000);
    // Partition 1's next batch has nothing for this stream: ingest's commit commits its pending partial.
    expect(commitThrough(s, '1', { firstSequence: 4, lastSequence: 4 }, at + 7000, cfg).closedWindows).toEqual([]);
    s = commitThrough(s, '1', { firstSequence: 4, lastSequence: 4 }, at + 7000, cfg).state;
    // Then partition 1 sends nothing to this stream for a minute of processing time while partition 0 does: it is
    // idle, and partition 0 alone moves the watermark (hour 1 closes; hour 5 waits for lateness as usual).
    expect(merge(partial('0', 2, T0 + 5 * HOUR + 2, at + 30_000))).toEqual([]);
    expect(merge(partial('0', 3, T0 + 5 * HOUR + 3, at + 66_001))).toEqual([[1, 'watermark']]);
    expect(s.watermark).toBe(T0 + 5 * HOUR + 2);
    // The watermark never moves back, even when partition 1 wakes up with older times.
    expect(merge(partial('1', 5, T0 + 2 * HOUR, at + 67_000))).toEqual([]);
    expect(merge(partial('1', 6, T0 + 2 * HOUR + 1, at + 68_000))).toEqual([]);
    expect(s.watermark).toBe(T0 + 5 * HOUR + 2);
  });
});
