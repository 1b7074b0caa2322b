import { encodeStreamKey, mergeEncodedSketches } from '../../src/core';
import { summarizeIngestMetrics } from '../../src/functions/api/summarizeIngestMetrics';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { deliver, EntityDriver, ingestProcess, view } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const ev = (second: number, value: number) =>
  JSON.stringify({ stream: 's', time: new Date(T0 + second * 1000).toISOString(), value });

describe('visible effectively-once: redelivered partials recognised show in the stream view and /api/metrics', () => {
  it('a redelivered pending batch is a redelivery, a redelivered committed one a duplicate; both counted suppressed, events once', async () => {
    const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
    const now = T0 + 10 * 60_000;
    const driver = new EntityDriver(
      createStreamEntityHandler(
        () => ({ ...stores, activity: new MemoryStreamActivityStore() }),
        () => now,
      ),
    );
    const fresh = (): IngestDeps => ({
      ...ingestProcess(stores),
      now: () => now,
      signal: driver.signal,
    });
    // Each delivery from a fresh ingest process, as after a crash before the checkpoint.
    const first = [ev(1, 1), ev(2, 2)];
    for (const [deps, seq, bodies] of [
      [fresh(), 0, first],
      [fresh(), 0, first],
      [fresh(), 2, [ev(3, 4)]],
      [fresh(), 0, first],
    ] as const) {
      await deliver(deps, '0', seq, [...bodies]);
      await deps.metrics.flush();
    }
    const v = await view(driver, encodeStreamKey('default', 's'));
    expect({
      events: v.events,
      sum: v.totals['value']?.sum,
      redeliveries: v.metrics.redeliveries,
      duplicates: v.metrics.duplicates,
    }).toEqual({ events: 3, sum: 7, redeliveries: 1, duplicates: 1 });
    const rows = await stores.ingestMetrics.recent(0);
    const summary = summarizeIngestMetrics(rows, now - 3_600_000, now + 60_000);
    expect({
      suppressed: summary.duplicatesSuppressed,
      batches: summary.batches,
      partitions: summary.partitions,
      events: summary.events,
    }).toEqual({ suppressed: 2, batches: 4, partitions: 1, events: 7 });
  });
});
