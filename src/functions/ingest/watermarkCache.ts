import type { PartitionProgressReport, StreamPartial } from '../../core';

const MAX_STREAMS = 100_000;

/**
 * Process-local watermark per partition and stream: the max event time aggregated for `{pipeline}|{stream}` from that
 * partition, used to dead-letter late events before they cost an entity operation. Per partition, because partitions
 * are consumed independently: judged against another partition's progress, a time-sorted producer's events would be
 * "late" whenever that partition ran ahead (docs/explanation/event-time.md). A partition is read by one process at a
 * time, so its marks here are its whole progress. A batch redelivered to the same process (same partition and first
 * sequence) is judged against the marks from before its first delivery, so the replay yields the same partials.
 */
export class WatermarkCache {
  /** `{partition}|{pipeline}|{stream}` (partition ids and pipeline names hold no '|') -> max event time. */
  private readonly marks = new Map<string, number>();
  private readonly lastBatch = new Map<string, { firstSequence: number; before: Map<string, number | undefined> }>();
  /** pipeline -> partition -> progress over all streams, for `progressFor`. */
  private readonly partitions = new Map<string, Map<string, PartitionProgressReport>>();

  /**
   * Every partition this process has read for `pipeline`: its progress over all streams and when its latest batch was
   * processed. Partials carry it so a stream entity knows the partitions that have sent it nothing yet.
   */
  progressFor(pipeline: string): Record<string, PartitionProgressReport> | undefined {
    const byPartition = this.partitions.get(pipeline);
    return byPartition === undefined ? undefined : Object.fromEntries(byPartition);
  }

  /**
   * Moves the partition's reported progress over the partials whose operations were just sent to their entities.
   * `update` does it for a batch it is given with `reports` on (PT0S); under coalescing the flusher calls this once a
   * group is delivered, so a report never runs ahead of the partition's batches still buffered (ingestCoalesce.ts).
   */
  reportDelivered(partition: string, partials: readonly StreamPartial[]): void {
    for (const p of partials) {
      if (p.maxEventTime === null) continue;
      let byPartition = this.partitions.get(p.pipeline);
      if (byPartition === undefined) {
        byPartition = new Map();
        this.partitions.set(p.pipeline, byPartition);
      }
      const known = byPartition.get(partition);
      byPartition.set(partition, {
        watermark: Math.max(known?.watermark ?? p.maxEventTime, p.maxEventTime),
        at: Math.max(known?.at ?? p.processedAt, p.processedAt),
      });
    }
  }

  forBatch(partition: string, firstSequence: number): (pipeline: string, stream: string) => number | undefined {
    const last = this.lastBatch.get(partition);
    const replay = last && last.firstSequence === firstSequence ? last.before : undefined;
    return (pipeline, stream) => {
      const key = `${partition}|${pipeline}|${stream}`;
      return replay?.has(key) ? replay.get(key) : this.marks.get(key);
    };
  }

  /**
   * Call once the batch's operations were sent (PT0S) or it was buffered (coalescing, `reports` false: the flush
   * reports it, reportDelivered), so no partial reports progress its partition's partials have not reached.
   */
  update(partition: string, firstSequence: number, partials: readonly StreamPartial[], reports = true): void {
    const last = this.lastBatch.get(partition);
    const before = last && last.firstSequence === firstSequence ? last.before : new Map<string, number | undefined>();
    if (reports) this.reportDelivered(partition, partials);
    for (const p of partials) {
      if (p.maxEventTime === null) continue;
      const key = `${partition}|${p.pipeline}|${p.stream}`;
      const current = this.marks.get(key);
      if (!before.has(key)) before.set(key, current);
      if (current === undefined || p.maxEventTime > current) {
        this.marks.delete(key);
        this.marks.set(key, p.maxEventTime);
      }
    }
    this.lastBatch.set(partition, { firstSequence, before });
    // Oldest-updated first in Map order: drop those beyond the bound.
    for (const key of this.marks.keys()) {
      if (this.marks.size <= MAX_STREAMS) break;
      this.marks.delete(key);
    }
  }
}
