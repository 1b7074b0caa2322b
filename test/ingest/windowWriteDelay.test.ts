/**
 * WINDOW_WRITE_DELAY through the real entity (SDK Entity class) and ingest, memory stores: closed windows held in the
 * entity's state share Windows transactions across operations, and every one of them reaches the table — the same
 * rows as without the delay — by a later operation or by the idle timer's flush once they are due.
 */
import { mergeEncodedSketches, type StreamState } from '../../src/core';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { flushIdleStreams } from '../../src/functions/stream/flushIdleStreams';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { EntityDriver, ingestProcess, invocationContext } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const STREAMS = 20;
const PARTITIONS = 4;
const BATCH = 25;
const TICK_MS = 250;
const SECONDS = 20;
/** Event time runs 80 times faster than processing time: a 1-minute window closes about every 3 ticks. */
const EVENT_MS_PER_TICK = 20_000;

async function replay(delayMs: number) {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const clock = { now: T0 };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => stores,
      () => clock.now,
      { windowWriteDelayMs: () => delayMs },
    ),
  );
  let upserts = 0;
  let heldSeen = 0;
  const upsert = stores.windows.upsert.bind(stores.windows);
  stores.windows.upsert = async (k, w) => void (upserts++, await upsert(k, w));
  const deps: IngestDeps = {
    ...ingestProcess(stores),
    now: () => clock.now,
    signal: driver.signal,
  };
  const timer = (at: number) =>
    flushIdleStreams(invocationContext({}), {
      activity: stores.activity,
      now: () => at,
      signal: async (_c, e, op) => void (await driver.run(e.key, op.kind, op.input)),
    });
  const next = new Array<number>(PARTITIONS).fill(0);
  let n = 0;
  for (let t = 0; t < SECONDS * 1000; t += TICK_MS) {
    clock.now = T0 + t;
    const eventTime = T0 + (t / TICK_MS) * EVENT_MS_PER_TICK;
    for (let p = 0; p < PARTITIONS; p++) {
      const bodies = Array.from({ length: BATCH }, () =>
        JSON.stringify({ stream: `k${n++ % STREAMS}`, time: new Date(eventTime).toISOString(), value: n }),
      );
      const context = invocationContext({
        partitionContext: { partitionId: String(p) },
        sequenceNumberArray: bodies.map((_, i) => next[p]! + i),
        enqueuedTimeUtcArray: bodies.map(() => new Date(clock.now).toISOString().slice(0, 19)),
      });
      await handleIngest(bodies, context, deps);
      next[p]! += BATCH;
    }
    for (const state of driver.states.values())
      heldSeen = Math.max(heldSeen, (JSON.parse(state) as StreamState).unsaved?.length ?? 0);
    if (t % 30_000 === 30_000 - TICK_MS) await timer(clock.now);
  }
  // Quiet now: the held windows come due, and the timer's flush writes them.
  clock.now += delayMs + 1000;
  await timer(clock.now);
  const windows = new Map<string, unknown[]>();
  for (let s = 0; s < STREAMS; s++) {
    const key = streamEntityKey('default', `k${s}`);
    windows.set(key, (await stores.windows.query(key, { limit: 1000 })).items);
  }
  const held = [...driver.states.values()].reduce(
    (sum, s) => sum + ((JSON.parse(s) as StreamState).unsaved?.length ?? 0),
    0,
  );
  return { upserts, windows, heldSeen, held };
}

describe('WINDOW_WRITE_DELAY (held closed windows)', () => {
  it('writes the same Windows rows as without a delay in fewer transactions, none left in state once quiet', async () => {
    const atOnce = await replay(0);
    const delayed = await replay(10_000);
    process.stdout.write(
      `window write delay: ${atOnce.upserts} Windows upserts at PT0S, ${delayed.upserts} at PT10S (at most ${delayed.heldSeen} held by a stream)\n`,
    );
    const closed = [...atOnce.windows.values()].reduce((s, w) => s + w.length, 0);
    expect(closed).toBeGreaterThan(STREAMS * 20);
    expect(atOnce.heldSeen).toBe(0);
    expect(delayed.heldSeen).toBeGreaterThan(1);
    expect(delayed.held).toBe(0);
    expect(delayed.windows).toEqual(atOnce.windows);
    expect(delayed.upserts).toBeLessThan(atOnce.upserts / 2);
  }, 300_000);
});

describe('WINDOW_WRITE_DELAY and reset', () => {
  it('writes the held windows before a reset instead of dropping them', async () => {
    const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
    const clock = { now: T0 };
    const driver = new EntityDriver(
      createStreamEntityHandler(
        () => stores,
        () => clock.now,
        { windowWriteDelayMs: () => 60_000 },
      ),
    );
    const deps: IngestDeps = {
      ...ingestProcess(stores),
      now: () => clock.now,
      signal: driver.signal,
    };
    // One partition, one stream, one event per minute of event time: each batch closes the window before it.
    for (let i = 0; i < 6; i++) {
      clock.now = T0 + i * 1000;
      const body = JSON.stringify({ stream: 's', time: new Date(T0 + i * 60_000).toISOString(), value: i });
      await handleIngest(
        [body],
        invocationContext({
          partitionContext: { partitionId: '0' },
          sequenceNumberArray: [i],
          enqueuedTimeUtcArray: [new Date(clock.now).toISOString().slice(0, 19)],
        }),
        { ...deps, partitionCount: 1 },
      );
    }
    const key = streamEntityKey('default', 's');
    const held = (JSON.parse(driver.states.get(key)!) as StreamState).unsaved?.length ?? 0;
    expect(held).toBeGreaterThan(0);
    expect((await stores.windows.query(key)).items).toHaveLength(0);
    await driver.run(key, 'reset');
    expect((await stores.windows.query(key)).items).toHaveLength(held);
    expect((JSON.parse(driver.states.get(key)!) as StreamState).unsaved).toBeUndefined();
  });
});
