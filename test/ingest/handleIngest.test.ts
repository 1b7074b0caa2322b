import { CATALOG_LAG_REFRESHES, encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import { BatchMemory } from '../../src/functions/ingest/batchMemory';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { IngestMetricsWriter } from '../../src/functions/ingest/ingestMetricsWriter';
import { PipelineCache } from '../../src/functions/ingest/pipelineCache';
import { WatermarkCache } from '../../src/functions/ingest/watermarkCache';
import { flushIdleStreams } from '../../src/functions/stream/flushIdleStreams';
import { type MergeInput, type StreamSignal } from '../../src/functions/stream/streamContract';
import { CATALOG_REFRESH_MS, createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores, type Stores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, invocationContext, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const NOW = T0 + 5 * 60_000;

interface Harness {
  stores: Stores;
  activity: MemoryStreamActivityStore;
  driver: EntityDriver;
  /** Every operation ingest sent, in order. */
  ops: { key: string; op: StreamSignal }[];
  /** The merges among them. */
  signals: { key: string; input: MergeInput }[];
  deps: IngestDeps;
  /** Ingest's and the entities' clock. */
  clock: { now: number };
}

function harness(defaultRetention?: number): Harness {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const activity = new MemoryStreamActivityStore();
  const clock = { now: NOW };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity }),
      () => clock.now,
    ),
  );
  const ops: { key: string; op: StreamSignal }[] = [];
  const signals: { key: string; input: MergeInput }[] = [];
  const metrics = new IngestMetricsWriter(stores.ingestMetrics, (message) => {
    throw new Error(message);
  });
  const deps: IngestDeps = {
    stores,
    metrics,
    pipelines: new PipelineCache(stores.pipelines, 1000, defaultRetention),
    watermarks: new WatermarkCache(),
    batches: new BatchMemory(),
    now: () => clock.now,
    signal: async (_context, entity, op) => {
      ops.push({ key: entity.key, op });
      if (op.kind === 'merge') signals.push({ key: entity.key, input: op.input });
      await driver.run(entity.key, op.kind, op.input);
    },
  };
  return { stores, activity, driver, ops, signals, deps, clock };
}

/** Runs the idle-flush timer at `now` against the harness's entities. */
function timer(h: Harness, now: number): Promise<number> {
  return flushIdleStreams(invocationContext({}), {
    activity: h.activity,
    now: () => now,
    signal: async (_c, entity, op) => void (await h.driver.run(entity.key, op.kind, op.input)),
  });
}

const windowsOf = async (stores: Stores, key: string) =>
  (await stores.windows.query(key)).items.map((w) => {
    const d = w.data;
    return [(d.start - T0) / 60_000, d.events, d.measures.value?.sum, d.closedBy];
  });

const ev = (stream: string, second: number, value: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ stream, time: new Date(T0 + second * 1000).toISOString(), value, ...extra });

describe('handleIngest (memory stores, real InvocationContext, entity through the SDK Entity class)', () => {
  it('names the missing trigger metadata', async () => {
    const { deps } = harness();
    const noPartition = invocationContext({ sequenceNumberArray: [1], enqueuedTimeUtcArray: ['2026-11-26T10:00:00'] });
    await expect(handleIngest(['{}'], noPartition, deps)).rejects.toThrow(
      'ingest: expected triggerMetadata.partitionContext.partitionId, found undefined',
    );
    const shortSequences = invocationContext({
      partitionContext: { partitionId: '0' },
      sequenceNumberArray: [1],
      enqueuedTimeUtcArray: ['x', 'y'],
    });
    await expect(handleIngest(['{}', '{}'], shortSequences, deps)).rejects.toThrow(
      'ingest: expected triggerMetadata.sequenceNumberArray with 2 numbers, found 1 entries',
    );
  });

  it('sends one entity operation per (pipeline, stream), records dead letters with stream, and metrics that add up', async () => {
    const { stores, signals, deps, driver } = harness();
    await stores.pipelines.put('all', {
      name: 'all',
      measures: { v: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
    });
    await stores.pipelines.put('big', {
      name: 'big',
      filter: 'value > 10',
      measures: { v: 'value * 10' },
      window: { type: 'tumbling', size: 'PT1M' },
    });
    const bodies = [
      ev('a', 1, 5),
      ev('a', 2, 50),
      ev('b', 3, 20),
      'not json',
      ev('b', 4, 'x'),
      { stream: 'a', time: T0 + 5000, value: 7 },
    ];
    const m = await deliver(deps, '3', 40, bodies);
    // 6 bodies x 2 pipelines = 12 deliveries; in "big" the filter itself fails on the string value (expression).
    expect(m).toMatchObject({
      bodies: 6,
      eventsIn: 12,
      aggregated: 6,
      filtered: 2,
      deadLettered: 4,
      entityOperations: 4,
    });
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    expect(signals.map((s) => s.key).sort()).toEqual([
      encodeStreamKey('all', 'a'),
      encodeStreamKey('all', 'b'),
      encodeStreamKey('big', 'a'),
      encodeStreamKey('big', 'b'),
    ]);
    for (const s of signals)
      expect(s.input.partial).toMatchObject({ partition: '3', firstSequence: 40, lastSequence: 45 });

    const dead = (await stores.deadLetters.query()).items.map((d) => ({
      raw: d.raw,
      reason: d.reason,
      pipeline: d.pipeline,
      stream: d.stream,
      sequenceNumber: d.sequenceNumber,
      partition: d.partition,
    }));
    expect(dead).toEqual([
      {
        raw: 'not json',
        reason: 'invalid-json',
        pipeline: 'all',
        stream: undefined,
        sequenceNumber: 43,
        partition: '3',
      },
      {
        raw: 'not json',
        reason: 'invalid-json',
        pipeline: 'big',
        stream: undefined,
        sequenceNumber: 43,
        partition: '3',
      },
      { raw: ev('b', 4, 'x'), reason: 'schema', pipeline: 'all', stream: 'b', sequenceNumber: 44, partition: '3' },
      // The filter runs before the stream key; for its error's record the key is read too, so erasing the stream finds it.
      { raw: ev('b', 4, 'x'), reason: 'expression', pipeline: 'big', stream: 'b', sequenceNumber: 44, partition: '3' },
    ]);

    expect((await view(driver, encodeStreamKey('all', 'a'))).totals['v']).toMatchObject({
      count: 3,
      sum: 62,
      min: 5,
      max: 50,
    });
    expect((await view(driver, encodeStreamKey('big', 'a'))).totals['v']).toMatchObject({ count: 1, sum: 500 });
    expect((await view(driver, encodeStreamKey('all', 'b'))).metrics.invalid).toBe(1);

    await deps.metrics.flush();

    const [row, ...others] = await stores.ingestMetrics.recent(T0);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      partition: '3',
      eventsIn: 12,
      aggregated: 6,
      filtered: 2,
      deadLettered: 4,
      entityOperations: 4,
      batches: 1,
    });
    expect(row?.latencySketches).toHaveLength(1);
    // Per pipeline and per dead-letter reason, for the per-minute series (only non-zero counts).
    expect(row?.breakdown).toEqual({
      'pipeline:all:aggregated': 4,
      'pipeline:all:deadLettered': 2,
      'pipeline:big:aggregated': 2,
      'pipeline:big:filtered': 2,
      'pipeline:big:deadLettered': 2,
      'reason:invalid-json': 2,
      'reason:schema': 1,
      'reason:expression': 1,
    });
    // The catalog is the entities' exact totals.
    expect((await stores.streams.list()).items.map((e) => [e.pipeline, e.stream, e.events])).toEqual([
      ['all', 'a', 3],
      ['all', 'b', 1],
      ['big', 'a', 1],
      ['big', 'b', 1],
    ]);
  });

  it('sees a pipeline change once the refresh interval has passed, not before', async () => {
    const { stores, signals, ops, deps, clock } = harness();
    await deliver(deps, '0', 0, [ev('a', 1, 1)]);
    await stores.pipelines.put('p2', {
      name: 'p2',
      measures: { v: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
    });
    clock.now += 999;
    await deliver(deps, '0', 1, [ev('a', 2, 1)]);
    clock.now += 1;
    await deliver(deps, '0', 2, [ev('a', 3, 1)]);
    expect(signals.map((s) => s.key)).toEqual([
      encodeStreamKey('default', 'a'),
      encodeStreamKey('default', 'a'),
      encodeStreamKey('p2', 'a'),
    ]);
    // The old pipeline's stream is absent from the new batch: its pending partial of batch 1 is committed.
    expect(ops.filter((o) => o.op.kind === 'commit').map((o) => [o.key, o.op.input])).toEqual([
      [encodeStreamKey('default', 'a'), expect.objectContaining({ partition: '0', firstSequence: 1, lastSequence: 1 })],
    ]);
  });

  it('gives the built-in default pipeline the configured retention', async () => {
    const { signals, deps } = harness(7);
    await deliver(deps, '0', 0, [ev('a', 1, 1)]);
    expect(signals[0]?.input.pipeline.retention).toBe(7);
  });

  it('keeps aggregates exact when overlapping batches are replayed with different ends on several partitions', async () => {
    const h = harness();
    const { deps, driver, stores } = h;
    const p0 = Array.from({ length: 10 }, (_, i) => ev(i % 2 ? 'x' : 'y', i, i + 1));
    const p1 = Array.from({ length: 6 }, (_, i) => ev('x', 20 + i, 100 * (i + 1)));
    await deliver(deps, '0', 0, p0.slice(0, 3));
    await deliver(deps, '1', 0, p1.slice(0, 2));
    await deliver(deps, '0', 3, p0.slice(3, 5));
    // Crash: both partitions restart from their checkpoints (0@3, 1@0) with other batch ends, on a fresh process.
    const restarted: IngestDeps = {
      ...deps,
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      pipelines: new PipelineCache(stores.pipelines, 1000),
    };
    await deliver(restarted, '1', 0, p1.slice(0, 4));
    await deliver(restarted, '0', 3, p0.slice(3, 8));
    await deliver(restarted, '0', 3, p0.slice(3, 6)); // an even shorter replay of the same batch
    await deliver(restarted, '0', 6, p0.slice(6, 10));
    await deliver(restarted, '1', 4, p1.slice(4, 6));
    const x = await view(driver, encodeStreamKey('default', 'x'));
    const y = await view(driver, encodeStreamKey('default', 'y'));
    const xs = [2, 4, 6, 8, 10, 100, 200, 300, 400, 500, 600];
    const ys = [1, 3, 5, 7, 9];
    expect(x.totals['value']).toMatchObject({ count: xs.length, sum: xs.reduce((a, b) => a + b), min: 2, max: 600 });
    expect(y.totals['value']).toMatchObject({ count: ys.length, sum: 25, min: 1, max: 9 });
    // The catalog is rewritten at most every CATALOG_REFRESH_MS while merges come: it may lag, never over-count.
    const catalog = async () => (await stores.streams.list()).items.map((e) => [e.stream, e.events]);
    const lagging = await catalog();
    expect(lagging.map(([s]) => s)).toEqual(['x', 'y']);
    expect(Number(lagging[0]?.[1])).toBeLessThanOrEqual(xs.length);
    expect(Number(lagging[1]?.[1])).toBeLessThanOrEqual(ys.length);
    // Nothing more arrives: the idle index makes the timer's next run CATALOG_LAG_REFRESHES refreshes on write the exact totals
    // (both streams were busy, so both rows are due then; one whose catalog row was exact finds nothing to rewrite).
    expect(lagging.filter(([s, n]) => n !== (s === 'x' ? xs.length : ys.length)).length).toBeGreaterThan(0);
    expect(await timer(h, h.clock.now + CATALOG_LAG_REFRESHES * CATALOG_REFRESH_MS)).toBe(2);
    expect(await catalog()).toEqual([
      ['x', xs.length],
      ['y', ys.length],
    ]);
  });
  it("commits the previous batch's partial of each stream absent from the next batch: one operation each, counted in entityOperations", async () => {
    const h = harness();
    const { deps, driver, ops, stores } = h;
    const commits = () =>
      ops
        .filter((o) => o.op.kind === 'commit')
        .map((o) => [
          o.key,
          o.op.kind === 'commit' ? [o.op.input.partition, o.op.input.firstSequence, o.op.input.lastSequence] : [],
        ]);
    expect((await deliver(deps, '0', 0, [ev('a', 1, 1), ev('b', 2, 2), ev('a', 3, 3)])).entityOperations).toBe(2);
    expect((await deliver(deps, '1', 0, [ev('b', 4, 4)])).entityOperations).toBe(1);
    expect(commits()).toEqual([]);
    // Partition 0 moves on without b: b gets one commit for batch 0-2; a (present in both) just its merge.
    expect((await deliver(deps, '0', 3, [ev('a', 5, 5), ev('a', 6, 6)])).entityOperations).toBe(2);
    expect(commits()).toEqual([[encodeStreamKey('default', 'b'), ['0', 0, 2]]]);
    let b = await view(driver, encodeStreamKey('default', 'b'));
    // (Each partition's watermark and lastMergeAt are in the view too: not this test's subject.)
    expect(b.partitions.map(({ partition, committed, pending }) => ({ partition, committed, pending }))).toEqual([
      { partition: '0', committed: 2, pending: null },
      { partition: '1', committed: -1, pending: { firstSequence: 0, lastSequence: 0 } },
    ]);
    expect(b.totals['value']).toMatchObject({ count: 2, sum: 6 });
    // A redelivery of the same batch in this process proves nothing: no commit.
    await deliver(deps, '0', 3, [ev('a', 5, 5), ev('a', 6, 6), ev('b', 7, 7)]);
    expect(commits()).toHaveLength(1);
    // A new process knows no previous batch: its first batch sends no commit, its second does.
    const restarted: IngestDeps = { ...deps, watermarks: new WatermarkCache(), batches: new BatchMemory() };
    await deliver(restarted, '0', 3, [ev('a', 5, 5), ev('a', 6, 6), ev('b', 7, 7)]);
    expect(commits()).toHaveLength(1);
    const m = await deliver(restarted, '0', 6, [ev('a', 8, 8)]);
    expect(m.entityOperations).toBe(2);
    expect(commits()).toEqual([
      [encodeStreamKey('default', 'b'), ['0', 0, 2]],
      [encodeStreamKey('default', 'b'), ['0', 3, 5]],
    ]);
    b = await view(driver, encodeStreamKey('default', 'b'));
    expect(b.totals['value']).toMatchObject({ count: 3, sum: 13 });
    expect(b.partitions.find((p) => p.partition === '0')).toMatchObject({
      partition: '0',
      committed: 5,
      pending: null,
    });
    // The metrics count every operation sent, merges and commits.
    await deps.metrics.flush();
    const rows = await stores.ingestMetrics.recent(T0);
    expect(rows.reduce((n, r) => n + r.entityOperations, 0)).toBe(ops.length);
    expect((await view(driver, encodeStreamKey('default', 'a'))).totals['value']).toMatchObject({ count: 5, sum: 23 });
  });

  it('a stream that goes quiet has its windows closed by the idle timer exactly once, and works normally when it comes back', async () => {
    const h = harness();
    const { deps, driver, stores, clock } = h;
    await stores.pipelines.put('q', {
      name: 'q',
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT30S',
      idleTimeout: 'PT1M',
    });
    await stores.pipelines.put('off', { name: 'off', window: { type: 'tumbling', size: 'PT1M' }, idleTimeout: 'PT0S' });
    await deliver(deps, '0', 0, [ev('s', 1, 1), ev('s', 2, 2), ev('s', 70, 4)]);
    const quietSince = clock.now;
    expect(await timer(h, quietSince + 59_999)).toBe(0);
    expect(await windowsOf(stores, encodeStreamKey('q', 's'))).toEqual([]);
    expect(await timer(h, quietSince + 60_000)).toBe(1);
    expect(await windowsOf(stores, encodeStreamKey('q', 's'))).toEqual([
      [0, 2, 3, 'idle'],
      [1, 1, 4, 'idle'],
    ]);
    // Done: no further flush; the pipeline with idleTimeout "0" keeps its windows open.
    expect(await timer(h, quietSince + 3_600_000)).toBe(0);
    expect(await windowsOf(stores, encodeStreamKey('off', 's'))).toEqual([]);
    expect((await view(driver, encodeStreamKey('off', 's'))).windows).toHaveLength(2);

    // Back again later: an event for the flushed minute 1 (not late for ingest's watermark) counts as late at the
    // entity; minute 5 opens a new window, which the next idle period closes.
    clock.now = quietSince + 10 * 60_000;
    await deliver(deps, '0', 3, [ev('s', 75, 100), ev('s', 300, 7)]);
    const back = await view(driver, encodeStreamKey('q', 's'));
    expect({
      events: back.events,
      lateAtEntity: back.metrics.lateAtEntity,
      windows: back.windows.map((w) => (w.start - T0) / 60_000),
    }).toEqual({ events: 5, lateAtEntity: 1, windows: [5] });
    expect(await timer(h, clock.now + 30_000)).toBe(0);
    expect(await timer(h, clock.now + 60_000)).toBe(1);
    expect(await windowsOf(stores, encodeStreamKey('q', 's'))).toEqual([
      [0, 2, 3, 'idle'],
      [1, 1, 4, 'idle'],
      [5, 1, 7, 'idle'],
    ]);
    expect((await view(driver, encodeStreamKey('q', 's'))).totals['value']).toMatchObject({ count: 5, sum: 114 });
  });

  it('a flush request that finds the stream active again leaves it alone and corrects its index row', async () => {
    const h = harness();
    await h.stores.pipelines.put('q', { name: 'q', window: { type: 'tumbling', size: 'PT1M' }, idleTimeout: 'PT1M' });
    await deliver(h.deps, '0', 0, [ev('s', 1, 1)]);
    const first = h.clock.now;
    // The stream gets events 20 s later, within a quarter of the timeout: the row still says "due at first + 1m".
    h.clock.now = first + 14_000;
    await deliver(h.deps, '0', 1, [ev('s', 2, 2)]);
    expect(h.activity.rows.get(encodeStreamKey('q', 's'))?.flushDue).toBe(first + 60_000);
    expect(await timer(h, first + 60_000)).toBe(1);
    expect(h.driver.replies.at(-1)).toMatchObject({ ok: true, kind: 'flush', outcome: 'active', closedWindows: 0 });
    expect(h.activity.rows.get(encodeStreamKey('q', 's'))).toMatchObject({
      flushDue: first + 74_000,
      openWindows: 1,
      idleTimeoutMs: 60_000,
    });
    expect(await windowsOf(h.stores, encodeStreamKey('q', 's'))).toEqual([]);
    expect(await timer(h, first + 74_000)).toBe(1);
    expect(await windowsOf(h.stores, encodeStreamKey('q', 's'))).toEqual([[0, 2, 3, 'idle']]);
  });

  it('with DEADLETTER_UNMATCHED, dead-letters once as no-pipeline an event every pipeline filtered out', async () => {
    const { deps, stores } = harness();
    await stores.pipelines.put('hot', {
      name: 'hot',
      filter: 'value > 10',
      window: { type: 'tumbling', size: 'PT1M' },
    });
    await stores.pipelines.put('cold', {
      name: 'cold',
      filter: 'value < 0',
      window: { type: 'tumbling', size: 'PT1M' },
    });
    const bodies = [ev('a', 1, 50), ev('a', 2, 5), ev('a', 3, -1), ev('b', 4, 6)];
    const off = await deliver(deps, '0', 0, bodies);
    expect(off).toMatchObject({ eventsIn: 8, aggregated: 2, filtered: 6, deadLettered: 0 });
    const m = await deliver({ ...deps, deadLetterUnmatched: true }, '0', 4, bodies);
    expect(m).toMatchObject({
      eventsIn: 10,
      aggregated: 2,
      filtered: 6,
      deadLettered: 2,
      byReason: { 'no-pipeline': 2 },
    });
    expect(m.byPipeline).toEqual(off.byPipeline);
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    const dead = (await stores.deadLetters.query()).items.map((d) => [d.reason, d.sequenceNumber, d.pipeline, d.raw]);
    expect(dead).toEqual([
      ['no-pipeline', 5, undefined, bodies[1]],
      ['no-pipeline', 7, undefined, bodies[3]],
    ]);
    await deps.metrics.flush();
    const rows = await stores.ingestMetrics.recent(T0);
    expect(rows.reduce((n, r) => n + r.deadLettered, 0)).toBe(2);
  });

  it('an active stream costs a catalog and an index write per CATALOG_REFRESH_MS, not one per operation, and no timer flush; once quiet the timer makes the row exact', async () => {
    const h = harness();
    let catalogWrites = 0;
    let indexWrites = 0;
    const touch = h.stores.streams.touch.bind(h.stores.streams);
    h.stores.streams.touch = async (entries) => {
      catalogWrites++;
      await touch(entries);
    };
    const record = h.activity.record.bind(h.activity);
    h.activity.record = async (row) => {
      indexWrites++;
      await record(row);
    };
    // 120 batches, one every 500 ms for 60 s, two events each; the timer runs every 10 s and finds nothing due.
    let flushes = 0;
    for (let b = 0; b < 120; b++) {
      await deliver(h.deps, '0', 2 * b, [ev('a', b, 1), ev('a', b, 2)]);
      h.clock.now += 500;
      if (b % 20 === 19) flushes += await timer(h, h.clock.now);
    }
    expect(flushes).toBe(0);
    const seconds = 60;
    expect(catalogWrites).toBeGreaterThanOrEqual(seconds / (CATALOG_REFRESH_MS / 1000));
    expect(catalogWrites).toBeLessThanOrEqual(seconds / (CATALOG_REFRESH_MS / 1000) + 2);
    // The index row stays ahead of the catalog row's last write (core planIndexWrite), moving every other refresh, so
    // the timer never flushes the active stream; with the first write and the first lag, at most two more.
    expect(indexWrites).toBeLessThanOrEqual(seconds / (CATALOG_REFRESH_MS / 1000) / 2 + 2);
    const listed = async () => (await h.stores.streams.list()).items.map((e) => e.events);
    const [lagging] = await listed();
    expect(lagging).toBeLessThan(240);
    expect(lagging).toBeGreaterThanOrEqual(240 - 2 * (CATALOG_REFRESH_MS / 500));
    expect(await timer(h, h.clock.now + CATALOG_LAG_REFRESHES * CATALOG_REFRESH_MS)).toBe(1);
    expect(await listed()).toEqual([240]);
    expect((await view(h.driver, encodeStreamKey('default', 'a'))).events).toBe(240);
  });
});
