import { RestError } from '@azure/data-tables';

import { IngestMetricsWriter } from '../../src/functions/ingest/ingestMetricsWriter';
import { createMemoryStores, type IngestMetricsInput, type IngestMetricsStore } from '../../src/storage';

const batch = (partition: string, second: number, eventsIn: number): IngestMetricsInput => ({
  at: new Date(Date.parse('2026-11-26T10:00:00Z') + second * 1000).toISOString(),
  partition,
  eventsIn,
  aggregated: eventsIn,
  filtered: 0,
  deadLettered: 0,
  entityOperations: 1,
  processingMs: 5,
});

/** The real memory store, with each write held until `open()` and every write's batches recorded. */
function gatedStore(failFirst?: Error) {
  const inner = createMemoryStores().ingestMetrics;
  const writes: string[][] = [];
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let failNext = failFirst;
  const store: IngestMetricsStore = {
    record: (input) => store.recordAll([input]),
    recordAll: async (inputs) => {
      writes.push(inputs.map((i) => `${i.partition}@${i.at.slice(14, 19)}`));
      await gate;
      const failure = failNext;
      failNext = undefined;
      if (failure) throw failure;
      await inner.recordAll(inputs);
    },
    recent: (since) => inner.recent(since),
    purge: (beforeMs, limit) => inner.purge(beforeMs, limit),
  };
  return { store, writes, open: () => open() };
}

describe('IngestMetricsWriter', () => {
  it('writes one row at a time, folds the batches that finish meanwhile into its next write, and holds a batch only while the write before it runs', async () => {
    const { store, writes, open } = gatedStore();
    const writer = new IngestMetricsWriter(store, (m) => {
      throw new Error(m);
    });
    const released: string[] = [];
    const track = (name: string, p: Promise<void>) => p.then(() => released.push(name));
    const firsts = [
      track('0@00:01', writer.record(batch('0', 1, 100))),
      track('1@00:01', writer.record(batch('1', 1, 7))),
    ];
    await Promise.all(firsts);
    // Partition 0's first write is in flight; three more batches arrive for that row, one for the next minute.
    const held = ['0@00:02', '0@00:03', '0@00:04'].map((name, i) =>
      track(name, writer.record(batch('0', 2 + i, (2 + i) * 100))),
    );
    await track('0@01:01', writer.record(batch('0', 61, 1000)));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(released).toEqual(['0@00:01', '1@00:01', '0@01:01']);
    open();
    await Promise.all(held);
    await writer.flush();
    // (partition@mm:ss) Four writes for six batches; the next minute's row is written beside the first.
    expect(writes).toEqual([['0@00:01'], ['1@00:01'], ['0@01:01'], ['0@00:02', '0@00:03', '0@00:04']]);
    const rows = await store.recent(0);
    expect(rows.map((r) => [r.minute, r.partition, r.batches, r.eventsIn])).toEqual([
      ['2026-11-26T10:00:00.000Z', '0', 4, 1000],
      ['2026-11-26T10:00:00.000Z', '1', 1, 7],
      ['2026-11-26T10:01:00.000Z', '0', 1, 1000],
    ]);
  });

  it('retries a write that fails transiently (storage down), folding the batches recorded meanwhile into it', async () => {
    const { store, open, writes } = gatedStore(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002'), { code: 'ECONNREFUSED' }),
    );
    const errors: string[] = [];
    const sleeps: number[] = [];
    const writer = new IngestMetricsWriter(store, (m) => errors.push(m), {
      attempts: 3,
      minDelayMs: 7,
      maxDelayMs: 7,
      sleep: async (ms) => void sleeps.push(ms),
    });
    // Not awaited on purpose: the second batch is recorded while the first one's write is still failing.
    void writer.record(batch('2', 1, 50));
    await Promise.resolve();
    void writer.record({ ...batch('2', 2, 0), eventsIn: 0, aggregated: 0, retried: 40 });
    open();
    await writer.flush();
    expect({ errors, sleeps }).toEqual({ errors: [], sleeps: [7] });
    expect(writes).toEqual([['2@00:01'], ['2@00:01', '2@00:02']]);
    expect((await store.recent(0)).map((r) => [r.partition, r.batches, r.eventsIn, r.retried])).toEqual([
      ['2', 1, 50, 40],
    ]);
  });

  it('logs a write that fails permanently with what it carried, and records later batches', async () => {
    const { store, open } = gatedStore(new RestError('table unavailable', { statusCode: 400 }));
    const errors: string[] = [];
    const writer = new IngestMetricsWriter(store, (m) => errors.push(m));
    // Not awaited: the write is gated until open(); flush() waits for it.
    void writer.record(batch('2', 1, 50));
    open();
    await writer.flush();
    expect(errors).toEqual([
      `ingest: metrics of 1 batch(es) (50 events in) on partition 2 at ${batch('2', 1, 50).at} were not recorded: table unavailable`,
    ]);
    void writer.record(batch('2', 2, 60));
    await writer.flush();
    expect((await store.recent(0)).map((r) => [r.partition, r.batches, r.eventsIn])).toEqual([['2', 1, 60]]);
  });
});
