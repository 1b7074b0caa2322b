import { splitText } from '../chunkedText';
import type { BufferedBatch, BufferMark, IngestBufferStore } from '../types';

/** In-process IngestBuffer with the Table store's behaviour (replace on put, ETag-checked mark). */
export class MemoryIngestBufferStore implements IngestBufferStore {
  private readonly batches = new Map<string, Map<number, BufferedBatch>>();
  private readonly marks = new Map<string, Omit<BufferMark, 'etag'> & { etag: string }>();
  private version = 0;

  async put(batch: BufferedBatch): Promise<void> {
    // The same size rule as a row's text (the Table store splits larger payloads over several rows; so may this).
    for (let i = 0; i < batch.payload.length; i += 400_000) splitText('payload', batch.payload.slice(i, i + 400_000));
    let rows = this.batches.get(batch.partition);
    if (!rows) this.batches.set(batch.partition, (rows = new Map()));
    rows.set(batch.firstSequence, { ...batch });
  }

  async list(partition: string): Promise<BufferedBatch[]> {
    return [...(this.batches.get(partition)?.values() ?? [])]
      .sort((a, b) => a.firstSequence - b.firstSequence)
      .map((b) => ({ ...b }));
  }

  async mark(partition: string): Promise<BufferMark> {
    const m = this.marks.get(partition);
    return m
      ? { flushedThrough: m.flushedThrough, claim: m.claim && { ...m.claim }, etag: m.etag }
      : { flushedThrough: -1, claim: null, etag: null };
  }

  async setMark(partition: string, value: Omit<BufferMark, 'etag'>, etag: string | null): Promise<string | null> {
    const have = this.marks.get(partition);
    if ((have?.etag ?? null) !== etag) return null;
    const next = `m${++this.version}`;
    this.marks.set(partition, {
      flushedThrough: value.flushedThrough,
      claim: value.claim && { ...value.claim },
      etag: next,
    });
    return next;
  }

  async remove(partition: string, firstSequences: readonly number[]): Promise<void> {
    const rows = this.batches.get(partition);
    for (const f of firstSequences) rows?.delete(f);
  }

  async partitions(): Promise<Array<{ partition: string; oldestBufferedAt: number }>> {
    return [...this.batches]
      .filter(([, rows]) => rows.size > 0)
      .map(([partition, rows]) => ({
        partition,
        oldestBufferedAt: Math.min(...[...rows.values()].map((r) => r.bufferedAt)),
      }));
  }
}
