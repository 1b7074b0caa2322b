import type { PipelineConfig, StreamPartial } from '../../core';
import type { CommitInput } from '../stream/streamContract';

interface RememberedBatch {
  firstSequence: number;
  lastSequence: number;
  /** `{pipeline}|{stream}` -> what a commit for it needs. */
  streams: Map<string, { pipeline: string; stream: string; config: PipelineConfig }>;
}

export interface CommitSignal {
  pipeline: string;
  stream: string;
  input: CommitInput;
}

/**
 * Process-local memory of each partition's previous batch, for commit-on-checkpoint-progress. With
 * batchCheckpointFrequency 1 the trigger hands over batch N+1 of a partition only after batch N was checkpointed, so
 * a batch that starts after the remembered one ended proves the remembered one can never be redelivered: each stream
 * that had a partial there and has none now gets one `commit` (streams present in both just get their merge, which
 * commits the previous partial anyway). A batch that does not start after it (a redelivery in this process) proves
 * nothing. A new process remembers nothing, so after a restart commits resume from its second batch: later, not lost.
 */
export class BatchMemory {
  private readonly last = new Map<string, RememberedBatch>();

  /** The commits that batch [firstSequence, lastSequence] of `partition` with `partials` allows. */
  commitsFor(partition: string, firstSequence: number, partials: readonly StreamPartial[]): CommitSignal[] {
    const prev = this.last.get(partition);
    if (!prev || firstSequence <= prev.lastSequence) return [];
    const present = new Set(partials.map((p) => `${p.pipeline}|${p.stream}`));
    const out: CommitSignal[] = [];
    for (const [key, s] of prev.streams) {
      if (present.has(key)) continue;
      out.push({
        pipeline: s.pipeline,
        stream: s.stream,
        input: { partition, firstSequence: prev.firstSequence, lastSequence: prev.lastSequence, pipeline: s.config },
      });
    }
    return out;
  }

  /** Call once the batch's operations were sent: it becomes the partition's previous batch. */
  remember(
    partition: string,
    firstSequence: number,
    lastSequence: number,
    partials: readonly StreamPartial[],
    configs: ReadonlyMap<string, PipelineConfig>,
  ): void {
    const streams: RememberedBatch['streams'] = new Map();
    for (const p of partials) {
      const config = configs.get(p.pipeline);
      if (config) streams.set(`${p.pipeline}|${p.stream}`, { pipeline: p.pipeline, stream: p.stream, config });
    }
    this.last.set(partition, { firstSequence, lastSequence, streams });
  }
}
