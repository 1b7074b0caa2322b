import { mergeEncodedSketches } from '../../src/core';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { deliver, EntityDriver, ingestProcess, view } from './entityDriver';

/**
 * EVENTHUB_PARTITION_COUNT through ingest into the real entity (docs/explanation/event-time.md): with the hub's count,
 * a partition no batch has come from yet holds a stream's windows; without it, they close on the partitions heard of.
 */
const T0 = Date.parse('2026-11-26T10:00:00Z');
const S = streamEntityKey('default', 's');

function setup(partitionCount: number | undefined) {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  const clock = { now: T0 + 5 * 60_000 };
  const driver = new EntityDriver(
    createStreamEntityHandler(
      () => stores,
      () => clock.now,
    ),
  );
  const merges: { partitionCount?: number }[] = [];
  const deps: IngestDeps = {
    ...ingestProcess(stores),
    now: () => clock.now,
    signal: async (_context, entity, op) => {
      if (op.kind === 'merge') merges.push(op.input.partial);
      await driver.run(entity.key, op.kind, op.input);
    },
    ...(partitionCount === undefined ? {} : { partitionCount }),
  };
  return { stores, driver, deps, merges };
}

// The default pipeline: 1-minute tumbling windows, 30 s lateness. Partition 0 runs through minutes 0-3.
const ev = (second: number) =>
  Buffer.from(JSON.stringify({ stream: 's', time: new Date(T0 + second * 1000).toISOString(), value: 1 }));
async function partitionZeroRunsAhead(deps: IngestDeps): Promise<void> {
  for (let b = 0; b < 4; b++) await deliver(deps, '0', b * 2, [ev(b * 60 + 1), ev(b * 60 + 2)]);
}

describe('EVENTHUB_PARTITION_COUNT through ingest', () => {
  it('with the count, every merge carries it and a partition never heard of holds the windows until it is', async () => {
    const h = setup(2);
    await partitionZeroRunsAhead(h.deps);
    expect(h.merges.every((p) => p.partitionCount === 2)).toBe(true);
    // Partition 1 has sent nothing: no window closed, minutes 0-3 are live.
    expect((await h.stores.windows.query(S)).items).toEqual([]);
    expect((await view(h.driver, S)).windows).toHaveLength(4);
    // Partition 1's first batch (minute 0 and minute 3): its minute-0 event is merged into the still open window.
    await deliver(h.deps, '1', 0, [ev(30), ev(3 * 60 + 5)]);
    await deliver(h.deps, '1', 2, [ev(3 * 60 + 6)]);
    const closed = (await h.stores.windows.query(S)).items;
    // Partition 0 has committed minute 2, partition 1 minute 3: the stream watermark (2:02) closes minute 0.
    expect(closed.map((w) => [(w.start - T0) / 60_000, w.data.events])).toEqual([[0, 3]]);
    expect((await view(h.driver, S)).metrics.lateAtEntity).toBe(0);
  });

  it("without it, windows close on the partitions heard of, and a late starter's events for them are lateAtEntity", async () => {
    const h = setup(undefined);
    await partitionZeroRunsAhead(h.deps);
    expect(h.merges.every((p) => p.partitionCount === undefined)).toBe(true);
    // Partition 0 alone decides: committed through minute 2 (2:02), minute 0 closes.
    expect((await h.stores.windows.query(S)).items.map((w) => (w.start - T0) / 60_000)).toEqual([0]);
    await deliver(h.deps, '1', 0, [ev(30), ev(3 * 60 + 5)]);
    await deliver(h.deps, '1', 2, [ev(3 * 60 + 6)]);
    expect((await view(h.driver, S)).metrics.lateAtEntity).toBe(1);
  });
});
