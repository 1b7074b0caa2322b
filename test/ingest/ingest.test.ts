import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { mergeEncodedSketches, type StreamView } from '../../src/core';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest';
import { PipelineCache } from '../../src/functions/ingestPipelines';
import { WatermarkCache } from '../../src/functions/ingestWatermarks';
import { createStreamEntityHandler, type MergeInput, type StreamReply } from '../../src/functions/streamEntity';
import { createStores, type Stores } from '../../src/storage';
import { EntityDriver, invocationContext } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
let azurite: RunningAzurite;
let run = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true, ports: 0 });
});
afterAll(async () => {
  await azurite?.stop();
});

function setup(): { stores: Stores; driver: EntityDriver; deps: () => IngestDeps; signals: { key: string; input: MergeInput }[] } {
  const stores = createStores({ AzureWebJobsStorage: azurite.connectionString }, { tablePrefix: `ingest${++run}x${Date.now() % 100000}`, mergeLatencySketches: mergeEncodedSketches });
  const driver = new EntityDriver(createStreamEntityHandler(() => stores.windows, () => T0 + 10 * 60_000));
  const signals: { key: string; input: MergeInput }[] = [];
  const watermarks = new WatermarkCache();
  const pipelines = new PipelineCache(stores.pipelines, 10_000);
  // A fresh process after a "crash" gets fresh caches, as a restarted host would.
  const deps = (): IngestDeps => ({
    stores,
    pipelines,
    watermarks,
    now: () => T0 + 10 * 60_000,
    signal: async (_context, entity, input) => {
      signals.push({ key: entity.key, input });
      await driver.run(entity.key, 'merge', input);
    },
  });
  return { stores, driver, deps, signals };
}

const event = (stream: string, minute: number, value: number) => JSON.stringify({ stream, time: new Date(T0 + minute * 60_000 + 1000).toISOString(), value });

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
    const bodies = [event('a', 0, 1), '{"stream": "a", "value": ', { stream: 'b', time: T0, value: 5 }, event('a', 0, 2), JSON.stringify({ stream: 'a', value: 'x', time: T0 })];
    const m = await deliver(deps(), '0', 100, bodies);
    expect(m).toMatchObject({ eventsIn: 5, aggregated: 3, filtered: 0, deadLettered: 2, entityOperations: 2 });
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    expect(signals.map((s) => s.key).sort()).toEqual(['default|a', 'default|b']);
    const dead = await stores.deadLetters.query({});
    expect(dead.items.map((d) => [d.reason, d.sequenceNumber, d.raw]).sort()).toEqual([
      ['invalid-json', 101, '{"stream": "a", "value": '],
      ['schema', 104, JSON.stringify({ stream: 'a', value: 'x', time: T0 })],
    ]);
    expect((await view(driver, 'default|a')).totals['value']).toMatchObject({ count: 2, sum: 3 });
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
    const restarted = { ...deps(), watermarks: new WatermarkCache(), pipelines: new PipelineCache(stores.pipelines, 10_000) };
    await deliver(restarted, '0', 4, all.slice(4, 10));
    await deliver(restarted, '0', 10, all.slice(10, 12));
    // A duplicate signal of an old batch changes nothing.
    await deliver(restarted, '0', 0, all.slice(0, 4));

    const v = await view(driver, 'default|s');
    expect(v.events).toBe(12);
    expect(v.totals['value']).toMatchObject({ count: 12, sum: 78 });
    const saved = await stores.windows.query('default|s', {});
    const starts = saved.items.map((w) => w.start);
    expect(new Set(starts).size).toBe(starts.length);
    // Committed watermark is minute 9 (batch 10..11 is still pending): windows ending by 9:00 - 30 s are closed.
    expect(starts.map((s) => (s - T0) / 60_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const storedEvents = saved.items.reduce((n, w) => n + (w.data as { events: number }).events, 0);
    expect(storedEvents + v.windows.reduce((n, w) => n + w.events, 0)).toBe(12);
    expect((saved.items[4]?.data as { measures: { value: { sum: number } } }).measures.value.sum).toBe(5);
  });

  it('rejects a malformed merge with a message instead of throwing', async () => {
    const { driver } = setup();
    const reply = await driver.run('default|s', 'merge', { partial: { stream: 's' } });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatch(/expected pipeline to be a pipeline config object/);
    const unknown = await driver.run('default|s', 'explode');
    expect(unknown).toEqual({ ok: false, error: 'unknown operation "explode": expected merge, get or reset' });
  });
});
