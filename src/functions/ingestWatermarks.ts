import type { PartitionProgressReport, StreamPartial } from '../core';

const MAX_PIPELINES = 10_000;

/**
 * Process-local progress per pipeline and partition: the max event time the pipeline aggregated from that partition
 * (over all its streams) and when its latest batch was processed. Used to dead-letter late events before they cost an
 * entity operation (`forBatch`), and sent with every partial so each stream entity learns the progress of every
 * partition this process reads, including those that sent the stream nothing (`progressFor`). Per partition, because
 * partitions are consumed independently: judged against another partition's progress, a time-sorted producer's
 * events would be "late" whenever that partition ran ahead (docs/explanation/event-time.md). A partition is read by
 * one process at a time, so its mark here is its whole progress (a new owner starts without one). A batch redelivered
 * to the same process (same partition and first sequence) is judged against the marks from before its first
 * delivery, so the replay yields the same verdicts.
 */
export class WatermarkCache {
  /** pipeline -> partition -> progress. */
  private readonly marks = new Map<string, Map<string, PartitionProgressReport>>();
  private readonly lastBatch = new Map<string, { firstSequence: number; before: Map<string, number | undefined> }>();

  forBatch(partition: string, firstSequence: number): (pipeline: string, stream: string) => number | undefined {
    const last = this.lastBatch.get(partition);
    const replay = last && last.firstSequence === firstSequence ? last.before : undefined;
    return (pipeline) => (replay?.has(pipeline) ? replay.get(pipeline) : this.marks.get(pipeline)?.get(partition)?.watermark);
  }

  /** The progress of every partition this process has read for `pipeline`, as partials carry it. */
  progressFor(pipeline: string): Record<string, PartitionProgressReport> | undefined {
    const byPartition = this.marks.get(pipeline);
    return byPartition === undefined ? undefined : Object.fromEntries(byPartition);
  }

  /** Call once the batch's operations were sent, so no partial reports progress its own events have not reached. */
  update(partition: string, firstSequence: number, partials: readonly StreamPartial[]): void {
    const last = this.lastBatch.get(partition);
    const before = last && last.firstSequence === firstSequence ? last.before : new Map<string, number | undefined>();
    for (const p of partials) {
      let byPartition = this.marks.get(p.pipeline);
      if (byPartition === undefined) {
        byPartition = new Map();
        this.marks.set(p.pipeline, byPartition);
      }
      const current = byPartition.get(partition);
      if (!before.has(p.pipeline)) before.set(p.pipeline, current?.watermark);
      const reached = p.partitionWatermark ?? p.maxEventTime;
      if (reached === null || reached === undefined) continue;
      byPartition.set(partition, { watermark: Math.max(current?.watermark ?? reached, reached), at: Math.max(current?.at ?? p.processedAt, p.processedAt) });
    }
    this.lastBatch.set(partition, { firstSequence, before });
    // Oldest first in Map order: drop pipelines beyond the bound (deleted pipelines stop being updated).
    for (const key of this.marks.keys()) {
      if (this.marks.size <= MAX_PIPELINES) break;
      this.marks.delete(key);
    }
  }
}
