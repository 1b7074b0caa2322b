import { mergeEncodedSketches, type StreamView } from '../../src/core';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest';
import { PipelineCache } from '../../src/functions/ingestPipelines';
import { WatermarkCache } from '../../src/functions/ingestWatermarks';
import { createStreamEntityHandler, type MergeInput } from '../../src/functions/streamEntity';
import { createMemoryStores, type Stores } from '../../src/storage';
import { EntityDriver, invocationContext } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const NOW = T0 + 5 * 60_000;

interface Harness {
  stores: Stores;
  driver: EntityDriver;
  signals: { key: string; input: MergeInput }[];
  deps: IngestDeps;
  clock: { now: number };
}

function harness(defaultRetention?: number): Harness {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const driver = new EntityDriver(createStreamEntityHandler(() => stores, () => NOW));
  const signals: { key: string; input: MergeInput }[] = [];
  const clock = { now: NOW };
  const deps: IngestDeps = {
    stores,
    pipelines: new PipelineCache(stores.pipelines, 1000, defaultRetention),
    watermarks: new WatermarkCache(),
    now: () => clock.now,
    signal: async (_context, entity, input) => {
      signals.push({ key: entity.key, input });
      await driver.run(entity.key, 'merge', input);
    },
  };
  return { stores, driver, signals, deps, clock };
}

const ev = (stream: string, second: number, value: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ stream, time: new Date(T0 + second * 1000).toISOString(), value, ...extra });

function deliver(deps: IngestDeps, partition: string, first: number, bodies: unknown[]) {
  const context = invocationContext({
    partitionContext: { partitionId: partition },
    sequenceNumberArray: bodies.map((_, i) => first + i),
    enqueuedTimeUtcArray: bodies.map(() => '2026-11-26T10:04:00'),
  });
  return handleIngest(bodies, context, deps);
}

async function view(driver: EntityDriver, key: string): Promise<StreamView> {
  const reply = await driver.run(key, 'get');
  if (!reply.ok || reply.kind !== 'get') throw new Error(JSON.stringify(reply));
  return reply.view;
}

describe('handleIngest (memory stores, real InvocationContext, entity through the SDK Entity class)', () => {
  it('names the missing trigger metadata', async () => {
    const { deps } = harness();
    const noPartition = invocationContext({ sequenceNumberArray: [1], enqueuedTimeUtcArray: ['2026-11-26T10:00:00'] });
    await expect(handleIngest(['{}'], noPartition, deps)).rejects.toThrow('ingest: expected triggerMetadata.partitionContext.partitionId, found undefined');
    const shortSequences = invocationContext({ partitionContext: { partitionId: '0' }, sequenceNumberArray: [1], enqueuedTimeUtcArray: ['x', 'y'] });
    await expect(handleIngest(['{}', '{}'], shortSequences, deps)).rejects.toThrow('ingest: expected triggerMetadata.sequenceNumberArray with 2 numbers, found 1 entries');
  });

  it('sends one entity operation per (pipeline, stream), records dead letters with stream, and metrics that add up', async () => {
    const { stores, signals, deps, driver } = harness();
    await stores.pipelines.put('all', { name: 'all', measures: { v: 'value' }, window: { size: '1m' } });
    await stores.pipelines.put('big', { name: 'big', filter: 'value > 10', measures: { v: 'value * 10' }, window: { size: '1m' } });
    const bodies = [ev('a', 1, 5), ev('a', 2, 50), ev('b', 3, 20), 'not json', ev('b', 4, 'x'), { stream: 'a', time: T0 + 5000, value: 7 }];
    const m = await deliver(deps, '3', 40, bodies);
    // 6 bodies x 2 pipelines = 12 deliveries; in "big" the filter itself fails on the string value (expression).
    expect(m).toMatchObject({ bodies: 6, eventsIn: 12, aggregated: 6, filtered: 2, deadLettered: 4, entityOperations: 4 });
    expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
    expect(signals.map((s) => s.key).sort()).toEqual(['all|a', 'all|b', 'big|a', 'big|b']);
    for (const s of signals) expect(s.input.partial).toMatchObject({ partition: '3', firstSequence: 40, lastSequence: 45 });

    const dead = (await stores.deadLetters.query()).items.map((d) => ({ raw: d.raw, reason: d.reason, pipeline: d.pipeline, stream: d.stream, sequenceNumber: d.sequenceNumber, partition: d.partition }));
    expect(dead).toEqual([
      { raw: 'not json', reason: 'invalid-json', pipeline: 'all', stream: undefined, sequenceNumber: 43, partition: '3' },
      { raw: 'not json', reason: 'invalid-json', pipeline: 'big', stream: undefined, sequenceNumber: 43, partition: '3' },
      { raw: ev('b', 4, 'x'), reason: 'schema', pipeline: 'all', stream: 'b', sequenceNumber: 44, partition: '3' },
      // The filter runs before the stream key is read, so a filter error has no stream.
      { raw: ev('b', 4, 'x'), reason: 'expression', pipeline: 'big', stream: undefined, sequenceNumber: 44, partition: '3' },
    ]);

    expect((await view(driver, 'all|a')).totals['v']).toMatchObject({ count: 3, sum: 62, min: 5, max: 50 });
    expect((await view(driver, 'big|a')).totals['v']).toMatchObject({ count: 1, sum: 500 });
    expect((await view(driver, 'all|b')).metrics.invalid).toBe(1);

    const [row, ...others] = await stores.ingestMetrics.recent(T0);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ partition: '3', eventsIn: 12, aggregated: 6, filtered: 2, deadLettered: 4, entityOperations: 4, batches: 1 });
    expect(row?.latencySketches).toHaveLength(1);
    // The catalog is the entities' exact totals.
    expect((await stores.streams.list()).items.map((e) => [e.pipeline, e.stream, e.events])).toEqual([
      ['all', 'a', 3],
      ['all', 'b', 1],
      ['big', 'a', 1],
      ['big', 'b', 1],
    ]);
  });

  it('sees a pipeline change once the refresh interval has passed, not before', async () => {
    const { stores, signals, deps, clock } = harness();
    await deliver(deps, '0', 0, [ev('a', 1, 1)]);
    await stores.pipelines.put('p2', { name: 'p2', measures: { v: 'value' }, window: { size: '1m' } });
    clock.now += 999;
    await deliver(deps, '0', 1, [ev('a', 2, 1)]);
    clock.now += 1;
    await deliver(deps, '0', 2, [ev('a', 3, 1)]);
    expect(signals.map((s) => s.key)).toEqual(['default|a', 'default|a', 'p2|a']);
  });

  it('gives the built-in default pipeline the configured retention', async () => {
    const { signals, deps } = harness(7);
    await deliver(deps, '0', 0, [ev('a', 1, 1)]);
    expect(signals[0]?.input.pipeline.retention).toBe(7);
  });

  it('keeps aggregates exact when overlapping batches are replayed with different ends on several partitions', async () => {
    const { deps, driver, stores } = harness();
    const p0 = Array.from({ length: 10 }, (_, i) => ev(i % 2 ? 'x' : 'y', i, i + 1));
    const p1 = Array.from({ length: 6 }, (_, i) => ev('x', 20 + i, 100 * (i + 1)));
    await deliver(deps, '0', 0, p0.slice(0, 3));
    await deliver(deps, '1', 0, p1.slice(0, 2));
    await deliver(deps, '0', 3, p0.slice(3, 5));
    // Crash: both partitions restart from their checkpoints (0@3, 1@0) with other batch ends, on a fresh process.
    const restarted: IngestDeps = { ...deps, watermarks: new WatermarkCache(), pipelines: new PipelineCache(stores.pipelines, 1000) };
    await deliver(restarted, '1', 0, p1.slice(0, 4));
    await deliver(restarted, '0', 3, p0.slice(3, 8));
    await deliver(restarted, '0', 3, p0.slice(3, 6)); // an even shorter replay of the same batch
    await deliver(restarted, '0', 6, p0.slice(6, 10));
    await deliver(restarted, '1', 4, p1.slice(4, 6));
    const x = await view(driver, 'default|x');
    const y = await view(driver, 'default|y');
    const xs = [2, 4, 6, 8, 10, 100, 200, 300, 400, 500, 600];
    const ys = [1, 3, 5, 7, 9];
    expect(x.totals['value']).toMatchObject({ count: xs.length, sum: xs.reduce((a, b) => a + b), min: 2, max: 600 });
    expect(y.totals['value']).toMatchObject({ count: ys.length, sum: 25, min: 1, max: 9 });
    expect((await stores.streams.list()).items.map((e) => [e.stream, e.events])).toEqual([
      ['x', xs.length],
      ['y', ys.length],
    ]);
  });
});
