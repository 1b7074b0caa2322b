import * as df from 'durable-functions';

import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { CATALOG_LAG_REFRESHES, encodeStreamKey, mergeEncodedSketches, type StreamView } from '../../src/core';
import { BatchMemory } from '../../src/functions/ingest/batchMemory';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { IngestMetricsWriter } from '../../src/functions/ingest/ingestMetricsWriter';
import { PipelineCache } from '../../src/functions/ingest/pipelineCache';
import { WatermarkCache } from '../../src/functions/ingest/watermarkCache';
import { flushIdleStreams } from '../../src/functions/stream/flushIdleStreams';
import { STREAM_ENTITY, type StreamReply, type StreamSignal } from '../../src/functions/stream/streamContract';
import { CATALOG_REFRESH_MS, createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createStores, type Stores, type StreamActivityStore } from '../../src/storage';
import { captureRegistration, EntityDriver, invocationContext } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
let azurite: RunningAzurite;
let run = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true, ports: 0 });
});
afterAll(async () => {
  await azurite?.stop();
});

function setup(): {
  stores: Stores;
  activity: StreamActivityStore;
  driver: EntityDriver;
  deps: () => IngestDeps;
  signals: { key: string; op: StreamSignal }[];
} {
  const env = { AzureWebJobsStorage: azurite.connectionString };
  const tablePrefix = `ingest${++run}x${Date.now() % 100000}`;
  const stores = createStores(env, { tablePrefix, mergeLatencySketches: mergeEncodedSketches });
  const activity = stores.activity;
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => ({ ...stores, activity }),
      () => T0 + 10 * 60_000,
    ),
  );
  const signals: { key: string; op: StreamSignal }[] = [];
  const watermarks = new WatermarkCache();
  const batches = new BatchMemory();
  const pipelines = new PipelineCache(stores.pipelines, 10_000);
  const metrics = new IngestMetricsWriter(stores.ingestMetrics, (message) => {
    throw new Error(message);
  });
  // A fresh process after a "crash" gets fresh caches, as a restarted host would.
  const deps = (): IngestDeps => ({
    stores,
    metrics,
    pipelines,
    watermarks,
    batches,
    now: () => T0 + 10 * 60_000,
    signal: async (_context, entity, op) => {
      signals.push({ key: entity.key, op });
      await driver.run(entity.key, op.kind, op.input);
    },
  });
  return { stores, activity, driver, deps, signals };
}

const event = (stream: string, minute: number, value: number) =>
  JSON.stringify({ stream, time: new Date(T0 + minute * 60_000 + 1000).toISOString(), value });

async function deliver(deps: IngestDeps, partition: string, first: number, bodies: unknown[]) {
  const context = invocationContext({
    partitionContext: { partitionId: partition },
    sequenceNumberArray: bodies.map((_, i) => first + i),
    enqueuedTimeUtcArray: bodies.map(() => '2026-11-26T10:09:00'),
  });
  return handleIngest(bodies, context, deps);
}

async function view(driver: EntityDriver, key: string): Promise<StreamView> {
  const reply: StreamReply = await driver.run(key, 'get');
  if (!reply.ok || reply.kind !== 'get') throw new Error(JSON.stringify(reply));
  return reply.view;
}

describe('ingest -> stream entity -> Windows table (Azurite)', () => {
  it('counts batch-mates of a malformed event, dead-letters it, and keeps events in = aggregated + filtered + dead-lettered', async () => {
    const { stores, driver, deps, signals } = setup();
    const bodies = [
      event('a', 0, 1),
      '{"stream": "a", "value": ',
      { stream: 'b', time: T0, value: 5 },
      event('a', 0, 2),
      JSON.stringify({ stream: 'a', value: 'x', time: T0 }),
    ];
    const d = deps();
    const m = await deliver(d, '0', 100, bodies);
    expect(m).toMatchObject({ eventsIn: 5, aggregated: 3, filtered: 0, deadLettered: 2, entityOperations: 2 });
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    expect(signals.map((s) => s.key).sort()).toEqual([
      encodeStreamKey('default', 'a'),
      encodeStreamKey('default', 'b'),
    ]);
    const dead = await stores.deadLetters.query({});
    expect(dead.items.map((d) => [d.reason, d.sequenceNumber, d.raw, d.stream]).sort()).toEqual([
      ['invalid-json', 101, '{"stream": "a", "value": ', undefined],
      ['schema', 104, JSON.stringify({ stream: 'a', value: 'x', time: T0 }), 'a'],
    ]);
    expect((await view(driver, encodeStreamKey('default', 'a'))).totals['value']).toMatchObject({ count: 2, sum: 3 });
    await d.metrics.flush();
    const metricsRows = await stores.ingestMetrics.recent(T0);
    expect(metricsRows.reduce((n, r) => n + r.eventsIn, 0)).toBe(5);
    const catalog = await stores.streams.list({});
    expect(catalog.items.map((e) => e.stream).sort()).toEqual(['a', 'b']);
  });

  it('leaves aggregates unchanged after crash-and-replay and persists each closed window exactly once', async () => {
    const { stores, driver, deps } = setup();
    // 12 events of stream s, one per minute, in partition 0.
    const all = Array.from({ length: 12 }, (_, i) => event('s', i, i + 1));
    await deliver(deps(), '0', 0, all.slice(0, 4));
    // Batch 4..7 is processed and signalled, then the host crashes before checkpointing ...
    await deliver(deps(), '0', 4, all.slice(4, 8));
    // ... and a new process replays from sequence 4 with a different end, then continues.
    const restarted = {
      ...deps(),
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      pipelines: new PipelineCache(stores.pipelines, 10_000),
    };
    await deliver(restarted, '0', 4, all.slice(4, 10));
    await deliver(restarted, '0', 10, all.slice(10, 12));
    // A duplicate signal of an old batch changes nothing.
    await deliver(restarted, '0', 0, all.slice(0, 4));

    const v = await view(driver, encodeStreamKey('default', 's'));
    expect(v.events).toBe(12);
    expect(v.totals['value']).toMatchObject({ count: 12, sum: 78 });
    const saved = await stores.windows.query(encodeStreamKey('default', 's'), {});
    const starts = saved.items.map((w) => w.start);
    expect(new Set(starts).size).toBe(starts.length);
    // Committed watermark is minute 9 (batch 10..11 is still pending): windows ending by 9:00 - 30 s are closed.
    expect(starts.map((s) => (s - T0) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const storedEvents = saved.items.reduce((n, w) => n + w.data.events, 0);
    expect(storedEvents + v.windows.reduce((n, w) => n + w.events, 0)).toBe(12);
    expect(saved.items[4]?.data.measures.value?.sum).toBe(5);
  });

  it("keeps each stream's exact running total in the Streams catalog across batches, redeliveries and duplicates", async () => {
    const { stores, deps, activity, driver } = setup();
    const a = Array.from({ length: 9 }, (_, i) => event('a', i % 3, i));
    const b = Array.from({ length: 4 }, (_, i) => event('b', 0, 10 * i));
    await deliver(deps(), '0', 0, [...a.slice(0, 5), ...b.slice(0, 2)]);
    await deliver(deps(), '1', 0, b.slice(2));
    // Partition 0's second batch is delivered, then redelivered after a "crash" with a longer end.
    await deliver(deps(), '0', 7, a.slice(5, 7));
    await deliver({ ...deps(), watermarks: new WatermarkCache(), batches: new BatchMemory() }, '0', 7, a.slice(5, 9));
    await deliver(deps(), '0', 0, [...a.slice(0, 5), ...b.slice(0, 2)]);
    // Within CATALOG_REFRESH_MS of its last write a row may lag (never over-count), 'b' too: a commit (b was absent from
    // partition 0's later batches) rewrites it no sooner than a merge would (core planCatalogWrite).
    const lagging = (await stores.streams.list({})).items.map((e) => [e.stream, e.events]);
    expect(lagging.map(([s]) => s)).toEqual(['a', 'b']);
    expect(Number(lagging[0]?.[1])).toBeLessThanOrEqual(9);
    expect(Number(lagging[1]?.[1])).toBeLessThanOrEqual(4);
    // The idle index (Azurite) makes the timer's first run after the bound signal the stale stream, which writes it.
    const now = T0 + 10 * 60_000 + CATALOG_LAG_REFRESHES * CATALOG_REFRESH_MS;
    await flushIdleStreams(invocationContext({}), {
      activity,
      now: () => now,
      signal: async (_c, entity, op) => void (await driver.run(entity.key, op.kind, op.input)),
    });
    const catalog = (await stores.streams.list({})).items;
    expect(catalog.map((e) => [e.stream, e.events])).toEqual([
      ['a', 9],
      ['b', 4],
    ]);
    for (const e of catalog) expect(e.eventsPerSec).toBeGreaterThan(0);
  });

  it('session windows: a redelivered batch after a crash counts once, and a late event bridges two sessions', async () => {
    const { stores, driver, deps } = setup();
    await stores.pipelines.put('sess', {
      name: 'sess',
      key: 'user',
      measures: { clicks: 'clicks' },
      window: { type: 'session', gap: 'PT2M', maxDuration: 'PT1H' },
      lateness: 'PT5M',
    });
    const click = (minute: number) =>
      JSON.stringify({ user: 'u', clicks: 1, time: new Date(T0 + minute * 60_000).toISOString() });
    await deliver(deps(), '0', 0, [0, 1, 4].map(click)); // sessions [0, 3) and [4, 6)
    await deliver(deps(), '0', 3, [2.5, 8].map(click)); // 2.5 bridges them; 8 starts a third
    // A crash: partition 0's second batch is delivered again, longer, by a fresh process.
    const restarted = {
      ...deps(),
      watermarks: new WatermarkCache(),
      batches: new BatchMemory(),
      pipelines: new PipelineCache(stores.pipelines, 10_000),
    };
    await deliver(restarted, '0', 3, [2.5, 8, 9].map(click));
    await deliver(restarted, '0', 6, [20].map(click));
    await deliver(restarted, '0', 7, [21].map(click));
    const key = encodeStreamKey('sess', 'u');
    const saved = (await stores.windows.query(key, {})).items.map((w) => ({
      start: (w.start - T0) / 60_000,
      end: (w.end - T0) / 60_000,
      events: w.data.events,
      closedBy: w.data.closedBy,
    }));
    expect(saved).toEqual([
      { start: 0, end: 6, events: 4, closedBy: 'watermark' },
      { start: 4, end: 6, events: 1, closedBy: 'superseded' },
      { start: 8, end: 11, events: 2, closedBy: 'watermark' },
    ]);
    const v = await view(driver, key);
    expect([v.events, v.windows.map((w) => [(w.start - T0) / 60_000, w.events])]).toEqual([8, [[20, 2]]]);
  });

  it("runs the registered entity function (df.app.entity) against the app's own stores from AzureWebJobsStorage", async () => {
    const saved = process.env['AzureWebJobsStorage'];
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    try {
      const { streamEntityHandler } = await import('../../src/functions/stream/streamEntity');
      const driver = new EntityDriver({
        registered: captureRegistration(() => df.app.entity(STREAM_ENTITY, streamEntityHandler)),
      });
      const stores = createStores(process.env);
      const { deps } = setup();
      const signals: StreamSignal[] = [];
      const capture: IngestDeps = { ...deps(), signal: async (_c, _e, op) => void signals.push(op) };
      // Three one-minute windows; the third event's time pushes the watermark past the first window + lateness.
      await deliver(capture, '0', 0, [event('reg', 0, 4), event('reg', 0, 6), event('reg', 1, 1), event('reg', 3, 2)]);
      expect(signals).toHaveLength(1);
      expect(signals[0]?.kind).toBe('merge');
      const reply = await driver.run(encodeStreamKey('default', 'reg'), 'merge', signals[0]?.input);
      expect(reply).toMatchObject({ ok: true, kind: 'merge', outcome: 'pending' });
      // A second batch commits the first; its windows ending before the watermark - lateness close into the Windows table.
      signals.length = 0;
      await deliver(capture, '0', 4, [event('reg', 4, 5)]);
      expect(signals.map((op) => op.kind)).toEqual(['merge']);
      expect(await driver.run(encodeStreamKey('default', 'reg'), 'merge', signals[0]?.input)).toMatchObject({
        ok: true,
        outcome: 'committed-previous',
        saved: true,
      });
      // Within CATALOG_REFRESH_MS of the first write the row keeps its total; a flush (the idle timer's) writes it exactly.
      expect((await stores.streams.list({ pipeline: 'default', prefix: 'reg' })).items.map((e) => e.events)).toEqual([
        4,
      ]);
      expect(await driver.run(encodeStreamKey('default', 'reg'), 'flush', { now: Date.now() })).toMatchObject({
        ok: true,
        outcome: 'active',
      });
      const windows = (await stores.windows.query(encodeStreamKey('default', 'reg'))).items;
      expect(windows.map((w) => [(w.start - T0) / 60_000, (w.data as { events: number }).events])).toEqual([
        [0, 2],
        [1, 1],
      ]);
      expect(windows[0]?.data.measures.value).toMatchObject({ sum: 10, min: 4, max: 6 });
      const catalog = (await stores.streams.list({ pipeline: 'default', prefix: 'reg' })).items;
      expect(catalog.map((e) => [e.stream, e.events])).toEqual([['reg', 5]]);
      const got = await driver.run(encodeStreamKey('default', 'reg'), 'get');
      expect(got.ok && got.kind === 'get' ? got.view.totals['value'] : undefined).toMatchObject({ count: 5, sum: 18 });
      expect(await driver.run(encodeStreamKey('default', 'reg'), 'reset')).toEqual({ ok: true, kind: 'reset' });
      expect((await stores.streams.list({ pipeline: 'default', prefix: 'reg' })).items.map((e) => e.events)).toEqual([
        0,
      ]);
    } finally {
      if (saved === undefined) delete process.env['AzureWebJobsStorage'];
      else process.env['AzureWebJobsStorage'] = saved;
    }
  });

  it('keeps every stream name apart end to end: entity, Windows rows and catalog are under exactly its own name', async () => {
    const { stores, driver, deps } = setup();
    const names = [
      's-001?op=reset&',
      '/../../../instances/x/terminate?x=&',
      'a#b',
      'q4%2Fb',
      'q4/b',
      'back\\slash',
      '..',
      'a|b',
      'a b',
      '😀',
      'שלום',
      'tab\there',
      'new\nline',
      '%',
      '%zz',
      'é'.repeat(128),
    ];
    const d = deps();
    // Two batches, so the first is committed and its minute-0 window closes and is written to the Windows table.
    await deliver(
      d,
      '0',
      0,
      names.map((n) => event(n, 0, 1)),
    );
    await deliver(
      d,
      '0',
      names.length,
      names.map((n) => event(n, 5, 2)),
    );
    await deliver(d, '0', 2 * names.length, [event('tick', 9, 0)]);
    for (const name of names) {
      const v = await view(driver, encodeStreamKey('default', name));
      expect([name, v.events, v.totals['value']?.sum]).toEqual([name, 2, 3]);
      const windows = (await stores.windows.query(encodeStreamKey('default', name))).items.map((w) => [
        w.start,
        (w.data as { events: number }).events,
      ]);
      expect([name, windows]).toEqual([name, [[T0, 1]]]);
    }
    const catalog = await stores.streams.list({ limit: 100 });
    expect(catalog.items.map((e) => e.stream).sort()).toEqual([...names, 'tick'].sort());
    await d.metrics.flush();
  });

  it('refuses to change an entity whose key encodeStreamKey did not make, and a partial of another stream', async () => {
    const { driver, deps, signals } = setup();
    const d = deps();
    await deliver(d, '0', 0, [event('s', 0, 1)]);
    await d.metrics.flush();
    const merge = signals[0]?.op;
    if (merge?.kind !== 'merge') throw new Error(`expected a merge signal, found ${JSON.stringify(merge)}`);
    expect(await driver.run('default|s', 'merge', merge.input)).toEqual({
      ok: false,
      error: 'merge: expected an entity key made by encodeStreamKey(pipeline, stream), found "default|s"',
    });
    expect(await driver.run('default|s', 'reset')).toEqual({
      ok: false,
      error: 'reset: expected an entity key made by encodeStreamKey(pipeline, stream), found "default|s"',
    });
    expect(await driver.run(encodeStreamKey('default', 's?op=reset&'), 'merge', merge.input)).toEqual({
      ok: false,
      error:
        'merge: expected a partial for {"pipeline":"default","stream":"s?op=reset&"}, found one for {"pipeline":"default","stream":"s"}',
    });
    expect((await view(driver, encodeStreamKey('default', 's'))).events).toBe(1);
  });

  it('rejects a malformed merge with a message instead of throwing', async () => {
    const { driver } = setup();
    const reply = await driver.run(encodeStreamKey('default', 's'), 'merge', { partial: { stream: 's' } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatch(/expected pipeline to be a pipeline config object/);
    const unknown = await driver.run(encodeStreamKey('default', 's'), 'explode');
    expect(unknown).toEqual({
      ok: false,
      error: 'unknown operation "explode": expected merge, commit, flush, get, reset or delete',
    });
    expect(await driver.run(encodeStreamKey('default', 's'), 'commit', { partition: 0 })).toEqual({
      ok: false,
      error: 'commit: expected partition to be a string, found 0',
    });
    expect(await driver.run(encodeStreamKey('default', 's'), 'flush', { now: 'soon' })).toEqual({
      ok: false,
      error: 'flush: expected { now: epoch milliseconds }, found {"now":"soon"}',
    });
  });
  it("closes a quiet stream's windows through the StreamActivity table: the timer finds exactly the due stream, once", async () => {
    const { stores, activity, driver, deps } = setup();
    const entityNow = T0 + 10 * 60_000;
    // Two streams, one batch each; the default pipeline's idleTimeout is 2 minutes of processing time.
    await deliver(deps(), '0', 0, [event('q', 0, 1), event('q', 0, 2), event('q', 1, 4)]);
    await deliver(deps(), '1', 0, [event('r', 0, 8)]);
    const flushes: string[] = [];
    const timer = (now: number) =>
      flushIdleStreams(invocationContext({}), {
        activity,
        now: () => now,
        signal: async (_c, entity, op) => {
          flushes.push(entity.key);
          await driver.run(entity.key, op.kind, op.input);
        },
      });
    expect(await timer(entityNow + 119_999)).toBe(0);
    expect(await timer(entityNow + 120_000)).toBe(2);
    expect(flushes.sort()).toEqual([encodeStreamKey('default', 'q'), encodeStreamKey('default', 'r')]);
    // The entities wrote "never due" back: nothing more to do.
    expect(await timer(entityNow + 600_000)).toBe(0);
    const q = (await stores.windows.query(encodeStreamKey('default', 'q'))).items.map((w) => w.data);
    expect(q.map((w) => [(w.start - T0) / 60_000, w.events, w.measures.value?.sum, w.closedBy])).toEqual([
      [0, 2, 3, 'idle'],
      [1, 1, 4, 'idle'],
    ]);
    expect(
      (await stores.windows.query(encodeStreamKey('default', 'r'))).items.map(
        (w) => (w.data as { events: number }).events,
      ),
    ).toEqual([1]);
    const v = await view(driver, encodeStreamKey('default', 'q'));
    expect({ events: v.events, windows: v.windows.length, pending: v.partitions.map((p) => p.pending) }).toEqual({
      events: 3,
      windows: 0,
      pending: [null],
    });
  });

  it('records the metrics of many batches in the background exactly, one Table row per (minute, partition), nothing lost to ETag races', async () => {
    const { stores, deps } = setup();
    const { metrics } = deps();
    const at = (second: number) => new Date(T0 + second * 1000).toISOString();
    for (let i = 0; i < 60; i++) {
      // Not awaited on purpose: batches queue behind each other's writes as they do on the host; flush() below waits.
      void metrics.record({
        at: at(i % 90),
        partition: String(i % 3),
        eventsIn: i,
        aggregated: i,
        filtered: 0,
        deadLettered: 0,
        entityOperations: 1,
        processingMs: 1,
      });
      // Batches of different partitions finish in different turns, as on the host.
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await metrics.flush();
    const rows = await stores.ingestMetrics.recent(T0);
    const byPartition = (p: number) => Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 === p);
    expect(rows.map((r) => [r.partition, r.batches, r.eventsIn])).toEqual(
      [0, 1, 2].map((p) => [String(p), 20, byPartition(p).reduce((a, b) => a + b, 0)]),
    );
  });
});
