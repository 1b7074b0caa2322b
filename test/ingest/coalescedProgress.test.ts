import { mergeEncodedSketches } from '../../src/core';
import { flushIngestBuffer } from '../../src/functions/ingest/flushIngestBuffer';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { IngestCoalescer } from '../../src/functions/ingest/ingestCoalesce';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { EntityDriver, ingestProcess, invocationContext, view } from './entityDriver';

/**
 * Coalescing and per-partition event time (docs/explanation/effectively-once.md#coalescing-entity_flush_interval,
 * rule 9): the progress a partial reports for another partition never runs ahead of that partition's batches still
 * in the buffer. Two partitions, one stream's events on both, partition 1's batch buffered while partition 0 flushes.
 */
const T0 = Date.parse('2026-11-26T10:00:00Z');
const INTERVAL = 2000;
const FAST = { attempts: 1, minDelayMs: 1, maxDelayMs: 1 };
const RARE = streamEntityKey('default', 'rare');

function setup(intervalMs: number) {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const clock = { now: T0 + 5 * 60_000 };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => stores,
      () => clock.now,
    ),
  );
  const deps: IngestDeps & { coalescer: IngestCoalescer | null } = {
    ...ingestProcess(stores),
    now: () => clock.now,
    retry: FAST,
    coalescer: intervalMs > 0 ? new IngestCoalescer(intervalMs, stores.ingestBuffer, () => clock.now, FAST) : null,
    signal: driver.signal,
  };
  /** One Event Hubs batch of `partition` (enqueued at its latest event's time), then the flush it may have started. */
  const deliver = async (partition: string, first: number, events: [stream: string, second: number][]) => {
    const enqueued = new Date(T0 + Math.max(...events.map(([, s]) => s)) * 1000).toISOString();
    const context = invocationContext({
      partitionContext: { partitionId: partition },
      sequenceNumberArray: events.map((_, i) => first + i),
      enqueuedTimeUtcArray: events.map(() => enqueued),
    });
    const bodies = events.map(([stream, second]) =>
      JSON.stringify({ stream, time: new Date(T0 + second * 1000).toISOString(), value: 1 }),
    );
    await handleIngest(bodies, context, deps);
    await deps.coalescer?.idle();
  };
  const timer = () =>
    deps.coalescer
      ? flushIngestBuffer(invocationContext({}), {
          coalescer: deps.coalescer,
          stores,
          metrics: deps.metrics,
          watermarks: deps.watermarks,
          now: () => clock.now,
          signal: (c, e, op) => deps.signal(c, e, op),
        })
      : Promise.resolve([]);
  /** Minute -> events of the stream's windows, closed (table) and live (view). */
  const windows = async (key: string) => {
    const closed = (await stores.windows.query(key)).items.map((w) => [(w.start - T0) / 60_000, w.data.events]);
    const live = (await view(driver, key)).windows
      .map((w) => [(w.start - T0) / 60_000, w.events])
      .sort((a, b) => (a[0] as number) - (b[0] as number));
    return { closed, live };
  };
  return { stores, driver, deps, clock, deliver, timer, windows };
}

/**
 * The default pipeline (1-minute windows, 30 s lateness). Partition 1's second batch (rare at 0:20, busy at 3:00) is
 * buffered; partition 0 then sends rare through 3:01 and flushes twice (committing its 3:00), while partition 1 has
 * sent rare nothing yet, so only the progress partition 0's partials report for partition 1 holds rare's minute 0.
 */
async function partitionOneBufferedBehind(h: ReturnType<typeof setup>, beforeRareFlush?: () => Promise<void>) {
  await h.deliver('1', 0, [['busy', 1]]); // a new process flushes at once
  await h.deliver('0', 0, [['busy', 2]]);
  h.clock.now += 500;
  await h.deliver('1', 1, [
    ['rare', 20],
    ['busy', 180],
  ]); // PT2S: buffered, partition 1 flushed 500 ms ago
  h.clock.now += INTERVAL;
  await h.deliver('0', 1, [
    ['rare', 10],
    ['rare', 180],
  ]);
  h.clock.now += INTERVAL;
  await h.deliver('0', 3, [['rare', 181]]); // commits partition 0's rare through 3:00
  await beforeRareFlush?.();
  await h.timer(); // partition 1's buffered batch reaches the entities
}

describe('coalescing keeps event time per partition exact', () => {
  it.each([
    ['PT0S', 0],
    ['PT2S', INTERVAL],
  ])('%s: a partition buffered behind another closes no window its buffered events fall in', async (_, interval) => {
    const h = setup(interval);
    await partitionOneBufferedBehind(h, async () => {
      // Nothing of partition 1 has reached rare yet (PT2S) or all of it has (PT0S): either way minute 0 is open.
      expect((await h.windows(RARE)).closed).toEqual([]);
    });
    const after = await h.windows(RARE);
    expect((await view(h.driver, RARE)).metrics.lateAtEntity).toBe(0);
    expect(after.closed).toEqual([]);
    expect(after.live).toEqual([
      [0, 2],
      [3, 2],
    ]);
    // Both partitions move on and commit: minute 0 closes with both its events.
    h.clock.now += INTERVAL;
    await h.deliver('1', 3, [['rare', 300]]);
    await h.deliver('0', 4, [['rare', 301]]);
    h.clock.now += INTERVAL;
    await h.deliver('1', 4, [['rare', 302]]);
    await h.deliver('0', 5, [['rare', 303]]);
    h.clock.now += INTERVAL;
    await h.timer();
    expect((await h.windows(RARE)).closed).toEqual([
      [0, 2],
      [3, 2],
    ]);
    expect((await view(h.driver, RARE)).metrics.lateAtEntity).toBe(0);
  });

  it("PT2S: a partition's reported progress moves when its batches are flushed (by ingest or the timer), not when buffered", async () => {
    const h = setup(INTERVAL);
    await partitionOneBufferedBehind(h, async () => {
      expect(h.deps.watermarks.progressFor('default')?.['1']?.watermark).toBe(T0 + 1000);
    });
    expect(h.deps.watermarks.progressFor('default')?.['1']?.watermark).toBe(T0 + 180_000);
    // Ingest's own late check still sees every buffered batch at once: partition 1's next event at 0:30 is late there.
    await h.deliver('1', 3, [['busy', 30]]);
    expect((await h.stores.deadLetters.query()).items.map((d) => [d.reason, d.stream])).toEqual([['late', 'busy']]);
  });

  it('PT2S: a due partition waits for its previous flush still running, so its entities never fall far behind ingest', async () => {
    const h = setup(INTERVAL);
    const run = h.deps.signal;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.deps.signal = async (context, entity, op) => {
      await gate;
      await run(context, entity, op);
    };
    const settled = (p: Promise<unknown>) =>
      Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);
    // The first batch is buffered and its flush starts (a new process is due) and hangs in the entity operations.
    const first = h.deliver('0', 0, [['busy', 1]]);
    // Not due yet: the next batch is buffered and returns at once although the flush still runs.
    expect(await settled(handleOne(h, '0', 1, 2))).toBe(true);
    h.clock.now += INTERVAL;
    // Due: this batch waits for the flush in flight before starting the next one.
    const third = handleOne(h, '0', 2, 3);
    expect(await settled(third)).toBe(false);
    release();
    await third;
    await first;
    await h.deps.coalescer?.idle();
    h.clock.now += INTERVAL;
    await h.timer();
    expect((await view(h.driver, streamEntityKey('default', 'busy'))).events).toBe(3);
  });

  it("PT2S: ingest's flush holds the newest batch back and sends the older ones as a final group, committed on merge", async () => {
    const h = setup(INTERVAL);
    const run = h.deps.signal;
    const ops: { kind: string; final?: boolean; range: string }[] = [];
    h.deps.signal = async (context, entity, op) => {
      const input = op.input as { partial?: { final?: boolean; firstSequence: number; lastSequence: number } };
      ops.push({
        kind: op.kind,
        ...(input.partial?.final ? { final: true } : {}),
        range: input.partial ? `${input.partial.firstSequence}-${input.partial.lastSequence}` : '',
      });
      await run(context, entity, op);
    };
    await h.deliver('0', 0, [['busy', 1]]); // the first flush of a process: batch 0 alone, pending
    await h.deliver('0', 1, [['busy', 2]]); // buffered
    h.clock.now += INTERVAL;
    await h.deliver('0', 2, [['busy', 3]]); // due: batches 1 (checkpointed: 2 came after it) final, 2 held back
    expect(ops).toEqual([
      { kind: 'merge', range: '0-0' },
      { kind: 'merge', final: true, range: '1-1' },
    ]);
    const busy = await view(h.driver, streamEntityKey('default', 'busy'));
    expect(busy.partitions).toEqual([expect.objectContaining({ partition: '0', committed: 1, pending: null })]);
    // The timer holds it too while it is younger than the interval (the partition is busy) ...
    h.clock.now += INTERVAL / 2;
    await h.timer(); // (nothing is stale yet)
    await h.deliver('0', 3, [['busy', 4]]); // not due: buffered
    h.clock.now += INTERVAL / 2;
    await h.timer(); // batch 2 is stale, batch 3 younger than the interval: 2 goes out final, 3 is held
    expect(ops.slice(2)).toEqual([{ kind: 'merge', final: true, range: '2-2' }]);
    // ... and sends it once the partition has gone quiet (not final: nothing came after it).
    h.clock.now += INTERVAL;
    await h.timer();
    expect(ops.slice(3)).toEqual([{ kind: 'merge', range: '3-3' }]);
    expect((await view(h.driver, streamEntityKey('default', 'busy'))).events).toBe(4);
  });
});

/** One invocation without waiting for the background flush it starts. */
function handleOne(h: ReturnType<typeof setup>, partition: string, first: number, second: number) {
  const context = invocationContext({
    partitionContext: { partitionId: partition },
    sequenceNumberArray: [first],
    enqueuedTimeUtcArray: [new Date(T0 + second * 1000).toISOString()],
  });
  return handleIngest(
    [JSON.stringify({ stream: 'busy', time: new Date(T0 + second * 1000).toISOString(), value: 1 })],
    context,
    h.deps,
  );
}
