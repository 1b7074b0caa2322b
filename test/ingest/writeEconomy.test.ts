/**
 * Table writes per 1,000 events of the stream entities in a replay-like load (issue 14's control: many keys of skewed
 * sizes, round-robin over partitions, small batches, so most streams are absent from most batches and get commits).
 * Memory stores with counting wrappers, the real entity through the SDK Entity class, the idle timer every 30 s.
 * Prints the figures (docs/explanation/table-layout.md quotes them) and checks the write plan's bounds.
 */
import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import { handleIngest, type IngestDeps } from '../../src/functions/ingest/ingest';
import { flushIdleStreams } from '../../src/functions/stream/flushIdleStreams';
import { CATALOG_REFRESH_MS, createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { EntityDriver, ingestProcess, invocationContext } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const STREAMS = 220;
const PARTITIONS = 4;
const BATCH = 25;
const TICK_MS = 250;
const SECONDS = 30;

describe('write economy of the stream entities (replay-like load)', () => {
  it('costs catalog and idle-index writes per stream and refresh interval, not per operation; the catalog ends exact', async () => {
    const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
    const activity = new MemoryStreamActivityStore();
    const clock = { now: T0 };
    const driver = new EntityDriver(
      createStreamEntityHandler(
        () => ({ ...stores, activity }),
        () => clock.now,
      ),
    );
    const writes = { catalog: 0, index: 0, windows: 0, entityOps: 0, flushes: 0 };
    const touch = stores.streams.touch.bind(stores.streams);
    stores.streams.touch = async (e) => void (writes.catalog++, await touch(e));
    const record = activity.record.bind(activity);
    activity.record = async (r) => void (writes.index++, await record(r));
    const upsert = stores.windows.upsert.bind(stores.windows);
    stores.windows.upsert = async (k, w) => void (writes.windows++, await upsert(k, w));
    const deps: IngestDeps = {
      ...ingestProcess(stores),
      now: () => clock.now,
      signal: async (_c, entity, op) => {
        writes.entityOps++;
        await driver.run(entity.key, op.kind, op.input);
      },
    };
    // Skewed keys (a few large, many small) from a fixed generator, events at the processing clock, round-robin.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sent = new Map<string, number>();
    const next = new Array<number>(PARTITIONS).fill(0);
    let events = 0;
    for (let t = 0; t < SECONDS * 1000; t += TICK_MS) {
      clock.now = T0 + t;
      for (let p = 0; p < PARTITIONS; p++) {
        const bodies = Array.from({ length: BATCH }, () => {
          const stream = `k${Math.floor(STREAMS * random() ** 3)}`;
          sent.set(stream, (sent.get(stream) ?? 0) + 1);
          return JSON.stringify({ stream, time: new Date(clock.now).toISOString(), value: 1 });
        });
        const context = invocationContext({
          partitionContext: { partitionId: String(p) },
          sequenceNumberArray: bodies.map((_, i) => next[p]! + i),
          enqueuedTimeUtcArray: bodies.map(() => new Date(clock.now).toISOString().slice(0, 19)),
        });
        await handleIngest(bodies, context, deps);
        next[p]! += BATCH;
        events += BATCH;
      }
      if (t % 30_000 === 30_000 - TICK_MS) {
        writes.flushes += await flushIdleStreams(invocationContext({}), {
          activity,
          now: () => clock.now,
          signal: async (_c, e, op) => void (await driver.run(e.key, op.kind, op.input)),
        });
      }
    }
    const per1000 = (n: number) => Math.round((n * 10000) / events) / 10;
    process.stdout.write(
      `write economy, ${events} events, ${sent.size} streams, ${SECONDS} s: per 1,000 events catalog ${per1000(writes.catalog)}, ` +
        `idle index ${per1000(writes.index)}, windows ${per1000(writes.windows)} requests; entity operations ${per1000(writes.entityOps)}, timer flushes ${writes.flushes}\n`,
    );
    // Each stream: its first write, then one per refresh (catalog) and one per two (index), a few more for sparse streams.
    expect(writes.catalog).toBeLessThanOrEqual(sent.size * (SECONDS / (CATALOG_REFRESH_MS / 1000) + 2));
    expect(writes.index).toBeLessThanOrEqual(sent.size * (SECONDS / (CATALOG_REFRESH_MS / 1000) / 2 + 3));
    // Far below one write per entity operation.
    expect(writes.catalog + writes.index).toBeLessThan(writes.entityOps / 4);
    // Quiet now: the timer makes every catalog row exact.
    await flushIdleStreams(invocationContext({}), {
      activity,
      now: () => clock.now + 60_000,
      signal: async (_c, e, op) => void (await driver.run(e.key, op.kind, op.input)),
    });
    const listed = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await stores.streams.list({ pipeline: 'default', ...(token ? { continuationToken: token } : {}) });
      for (const e of page.items) listed.set(e.stream, e.events);
      token = page.continuationToken;
    } while (token);
    expect(listed).toEqual(sent);
    expect(encodeStreamKey('default', 'k0')).toBeTruthy();
  }, 300_000);
});
