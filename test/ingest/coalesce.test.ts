import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import { BatchMemory } from '../../src/functions/ingest/batchMemory';
import { flushIngestBuffer } from '../../src/functions/ingest/flushIngestBuffer';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { IngestCoalescer } from '../../src/functions/ingest/ingestCoalesce';
import { IngestMetricsWriter } from '../../src/functions/ingest/ingestMetricsWriter';
import { PipelineCache } from '../../src/functions/ingest/pipelineCache';
import { WatermarkCache } from '../../src/functions/ingest/watermarkCache';
import { type StreamSignal } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores, type Stores } from '../../src/storage';
import { deliver as deliverOnly, EntityDriver, invocationContext, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const NOW = T0 + 5 * 60_000;
const INTERVAL = 2000;
const FAST = { attempts: 1, minDelayMs: 1, maxDelayMs: 1 };

interface World {
  stores: Stores;
  driver: EntityDriver;
  clock: { now: number };
  ops: { key: string; op: StreamSignal }[];
  /** Makes the next N signals fail with this error (then they work again). */
  failNext: { count: number; error: Error };
}

function world(): World {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const clock = { now: NOW };
  return {
    stores,
    clock,
    ops: [],
    failNext: { count: 0, error: new Error('x') },
    driver: new EntityDriver(
      createStreamEntityHandler(
        () => stores,
        () => clock.now,
      ),
    ),
  };
}

/** One process of the app: its own memory (coalescer, caches), the world's tables and entities. */
function process_(w: World, intervalMs = INTERVAL): IngestDeps & { coalescer: IngestCoalescer | null } {
  return {
    stores: w.stores,
    metrics: new IngestMetricsWriter(w.stores.ingestMetrics, (m) => {
      throw new Error(m);
    }),
    pipelines: new PipelineCache(w.stores.pipelines, 1000),
    watermarks: new WatermarkCache(),
    batches: new BatchMemory(),
    now: () => w.clock.now,
    retry: FAST,
    coalescer: intervalMs > 0 ? new IngestCoalescer(intervalMs, w.stores.ingestBuffer, () => w.clock.now, FAST) : null,
    signal: async (_context, entity, op) => {
      if (w.failNext.count > 0) {
        w.failNext.count--;
        throw w.failNext.error;
      }
      w.ops.push({ key: entity.key, op });
      await w.driver.run(entity.key, op.kind, op.input);
    },
  };
}

/** One invocation, then the background flush it may have started (the tests look at the state after both). */
async function deliver(p: ReturnType<typeof process_>, partition: string, first: number, bodies: unknown[]) {
  const r = await deliverOnly(p, partition, first, bodies);
  await p.coalescer?.idle();
  return r;
}

const ev = (stream: string, value: number) =>
  JSON.stringify({ stream, time: new Date(T0 + 1000).toISOString(), value });
const key = (stream: string) => encodeStreamKey('all', stream);
const count = async (w: World, stream: string) => {
  const v = await view(w.driver, key(stream));
  return { count: v.totals['v']?.count ?? 0, sum: v.totals['v']?.sum ?? 0 };
};
/** Runs the flushIngestBuffer timer of a process. */
const timer = (w: World, p: ReturnType<typeof process_>) =>
  flushIngestBuffer(invocationContext({}), {
    coalescer: p.coalescer as IngestCoalescer,
    stores: w.stores,
    metrics: p.metrics,
    watermarks: p.watermarks,
    now: () => w.clock.now,
    signal: (c, e, op) => p.signal(c, e, op),
  });

async function setup(): Promise<World> {
  const w = world();
  await w.stores.pipelines.put('all', {
    name: 'all',
    measures: { v: 'value' },
    window: { type: 'tumbling', size: 'PT1M' },
  });
  return w;
}

describe('coalescing ingest (ENTITY_FLUSH_INTERVAL)', () => {
  it('signals each stream at most once per interval, counts every event once, and records fewer operations than PT0S', async () => {
    const runs: Record<string, { merges: number; counts: unknown[]; opsPer1000: number }> = {};
    for (const interval of [0, INTERVAL]) {
      const w = await setup();
      const p = process_(w, interval);
      let seq = 0;
      for (let b = 0; b < 10; b++) {
        const bodies = ['a', 'b', 'c', 'a'].map((s, i) => ev(s, b * 10 + i));
        await deliver(p, '0', seq, bodies);
        seq += bodies.length;
        w.clock.now += 500;
      }
      if (p.coalescer) {
        w.clock.now += INTERVAL;
        await timer(w, p);
        expect(await w.stores.ingestBuffer.list('0')).toEqual([]);
      }
      await p.metrics.flush();
      const rows = await w.stores.ingestMetrics.recent(0);
      const ops = rows.reduce((n, r) => n + r.entityOperations, 0);
      const events = rows.reduce((n, r) => n + r.eventsIn, 0);
      runs[interval] = {
        merges: w.ops.filter((o) => o.op.kind === 'merge').length,
        counts: [await count(w, 'a'), await count(w, 'b'), await count(w, 'c')],
        opsPer1000: (ops * 1000) / events,
      };
    }
    // Exactly the same state either way.
    expect(runs[INTERVAL]?.counts).toEqual(runs[0]?.counts);
    expect(runs[0]?.counts).toEqual([
      // a: values 10b and 10b + 3 for b = 0..9.
      { count: 20, sum: 930 },
      expect.objectContaining({ count: 10 }),
      expect.objectContaining({ count: 10 }),
    ]);
    // 10 batches over 5 s: 3 streams x 10 batches without coalescing; with PT2S, one merge per stream per flush.
    expect(runs[0]?.merges).toBe(30);
    expect(runs[INTERVAL]?.merges).toBeLessThanOrEqual(3 * 4);
    expect(runs[INTERVAL]?.opsPer1000).toBeLessThan(runs[0]?.opsPer1000 as number);
  });

  it('a process that dies after buffering and before returning: the redelivery rewrites the row, nothing counts twice', async () => {
    const w = await setup();
    const p1 = process_(w);
    await deliver(p1, '0', 0, [ev('a', 1), ev('a', 2)]); // flushed at once (a new process is due)
    await deliver(p1, '0', 2, [ev('a', 3), ev('b', 4)]); // buffered, not due; then the process "dies" before the checkpoint
    const p2 = process_(w);
    await deliver(p2, '0', 2, [ev('a', 3), ev('b', 4)]); // redelivered to a new process: buffered again (same row), due at once
    w.clock.now += INTERVAL;
    await timer(w, p2);
    expect(await count(w, 'a')).toEqual({ count: 3, sum: 6 });
    expect(await count(w, 'b')).toEqual({ count: 1, sum: 4 });
  });

  it('a process that dies after its flush and before returning: a longer redelivery counts only the events after the flush', async () => {
    const w = await setup();
    const p1 = process_(w);
    await deliver(p1, '0', 0, [ev('a', 1), ev('a', 2), ev('b', 5)]); // buffered and flushed (due), then the process dies
    expect(await w.stores.ingestBuffer.mark('0')).toMatchObject({ flushedThrough: 2, claim: null });
    const p2 = process_(w);
    // The trigger redelivers from the checkpoint, cut longer this time.
    await deliver(p2, '0', 0, [ev('a', 1), ev('a', 2), ev('b', 5), ev('a', 10), ev('c', 7)]);
    w.clock.now += INTERVAL;
    await timer(w, p2);
    expect(await count(w, 'a')).toEqual({ count: 3, sum: 13 });
    expect(await count(w, 'b')).toEqual({ count: 1, sum: 5 });
    expect(await count(w, 'c')).toEqual({ count: 1, sum: 7 });
    // And a redelivery entirely at or before the mark adds nothing.
    await deliver(process_(w), '0', 0, [ev('a', 1), ev('a', 2), ev('b', 5)]);
    expect(await count(w, 'a')).toEqual({ count: 3, sum: 13 });
    expect(await w.stores.ingestBuffer.list('0')).toEqual([]);
  });

  it('a flush that fails keeps its claim: the next flush (here another process) re-sends the same group, exactly', async () => {
    const w = await setup();
    const p1 = process_(w);
    await deliver(p1, '0', 0, [ev('a', 1)]);
    await deliver(p1, '0', 1, [ev('a', 2), ev('b', 3)]); // buffered
    await deliver(p1, '0', 3, [ev('b', 4), ev('c', 5)]); // buffered
    w.clock.now += INTERVAL;
    // The flush's second signal fails transiently (after the first went through): the invocation fails.
    w.ops.length = 0;
    await deliver(p1, '0', 5, [ev('a', 6)]);
    const sent = w.ops.length;
    w.failNext = { count: 1, error: Object.assign(new Error('server busy'), { statusCode: 503 }) };
    w.clock.now += INTERVAL;
    // The invocation returns once its batch is buffered; the flush it started fails in the background.
    await deliver(p1, '0', 6, [ev('c', 7)]);
    expect(sent).toBeGreaterThan(0);
    // Ingest's flush holds the newest batch (6) back, so the claim is batch 5's, a final group (rule 3a).
    expect((await w.stores.ingestBuffer.mark('0')).claim).toEqual({ firstSequence: 5, lastSequence: 5 });
    // Another process gets the partition: the trigger redelivers the failed batch; the claim is re-sent first.
    const p2 = process_(w);
    await deliver(p2, '0', 6, [ev('c', 7)]);
    w.clock.now += INTERVAL;
    await timer(w, p2);
    expect(await count(w, 'a')).toEqual({ count: 3, sum: 9 });
    expect(await count(w, 'b')).toEqual({ count: 2, sum: 7 });
    expect(await count(w, 'c')).toEqual({ count: 2, sum: 12 });
    expect(await w.stores.ingestBuffer.mark('0')).toMatchObject({ flushedThrough: 6, claim: null });
  });

  it('two flushers of one partition: only the one whose claim lands sends', async () => {
    const w = await setup();
    const p1 = process_(w);
    const p2 = process_(w);
    await deliver(p1, '0', 0, [ev('a', 1)]);
    await deliver(p1, '0', 1, [ev('a', 2)]);
    w.clock.now += INTERVAL;
    w.ops.length = 0;
    const sink = {
      signal: (e: Parameters<IngestDeps['signal']>[1], op: StreamSignal) => p1.signal(invocationContext({}), e, op),
      deadLetter: async () => {},
      warn: () => {},
      error: () => {},
      reported: () => {},
    };
    const [r1, r2] = await Promise.all([p1.coalescer?.flush('0', sink), p2.coalescer?.flush('0', sink)]);
    expect([r1?.operations, r2?.operations].sort()).toEqual([0, 1]);
    expect(w.ops).toHaveLength(1);
    expect(await count(w, 'a')).toEqual({ count: 2, sum: 3 });
  });
});
