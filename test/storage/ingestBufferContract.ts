import type { IngestBufferStore } from '../../src/storage/types';

/** The IngestBuffer contract (coalescing ingest, docs/explanation/effectively-once.md), for every implementation. */
export function defineIngestBufferContract(label: string, create: () => Promise<IngestBufferStore>): void {
  describe(`${label}: ingest buffer`, () => {
    const batch = (firstSequence: number, lastSequence: number, payload: string, partition = '3') => ({
      partition,
      firstSequence,
      lastSequence,
      bufferedAt: 1000 + firstSequence,
      payload,
    });

    it("lists a partition's batches by firstSequence; a redelivery (same firstSequence) replaces its row", async () => {
      const b = await create();
      await b.put(batch(200, 299, 'second'));
      await b.put(batch(100, 199, 'first'));
      await b.put(batch(100, 149, 'first, cut shorter'));
      await b.put(batch(5, 9, 'other partition', '4'));
      expect((await b.list('3')).map((x) => [x.firstSequence, x.lastSequence, x.payload])).toEqual([
        [100, 149, 'first, cut shorter'],
        [200, 299, 'second'],
      ]);
      expect((await b.partitions()).sort((x, y) => x.partition.localeCompare(y.partition))).toEqual([
        { partition: '3', oldestBufferedAt: 1100 },
        { partition: '4', oldestBufferedAt: 1005 },
      ]);
      await b.remove('3', [100, 7]);
      expect((await b.list('3')).map((x) => x.firstSequence)).toEqual([200]);
    });

    it('keeps a payload larger than one entity whole (several parts), and a smaller rewrite replaces it', async () => {
      const b = await create();
      const big = 'x'.repeat(1_000_000) + 'é'.repeat(10) + 'y'.repeat(20);
      await b.put(batch(1, 2, big));
      expect((await b.list('3'))[0]?.payload).toBe(big);
      await b.put(batch(1, 2, 'small'));
      expect((await b.list('3')).map((x) => x.payload)).toEqual(['small']);
      await b.remove('3', [1]);
      expect(await b.list('3')).toEqual([]);
      expect(await b.partitions()).toEqual([]);
    });

    it('the mark: absent at first, written only with the ETag it was read with', async () => {
      const b = await create();
      expect(await b.mark('3')).toEqual({ flushedThrough: -1, claim: null, etag: null });
      const e1 = await b.setMark('3', { flushedThrough: -1, claim: { firstSequence: 0, lastSequence: 99 } }, null);
      expect(e1).not.toBeNull();
      // A second creator loses, as does a writer with a stale ETag.
      expect(await b.setMark('3', { flushedThrough: 5, claim: null }, null)).toBeNull();
      expect(await b.mark('3')).toEqual({
        flushedThrough: -1,
        claim: { firstSequence: 0, lastSequence: 99 },
        etag: e1,
      });
      const e2 = await b.setMark('3', { flushedThrough: 99, claim: null }, e1);
      expect(e2).not.toBeNull();
      expect(await b.setMark('3', { flushedThrough: 120, claim: null }, e1)).toBeNull();
      expect(await b.mark('3')).toEqual({ flushedThrough: 99, claim: null, etag: e2 });
    });
  });
}
