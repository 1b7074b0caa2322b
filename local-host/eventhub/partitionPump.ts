import { ensureError } from '../errors';
import type { CheckpointStore } from './checkpointStore';
import type { EventHubOptions } from './eventHubOptions';
import { type BatchInvoker, invokeBatch } from './invokeBatch';
import type { LocalHub } from './localHub';
import type { PartitionContextInfo } from './toTriggerInput';
import type { HubEvent, PartitionLog } from './types';

export interface PumpOptions {
  hub: LocalHub;
  log: PartitionLog;
  options: EventHubOptions;
  /** Key under which checkpoints are kept: the consumer group (or group@function when functions share one). */
  checkpointGroup: string;
  checkpoints: CheckpointStore;
  invoker: BatchInvoker;
  partitionContext: PartitionContextInfo;
}

/**
 * Delivers one partition to one trigger as the extension's partition processor does: one batch at a time
 * (up to maxEventBatchSize; with minEventBatchSize > 1 it waits for that many or maxWaitTime), checkpoint
 * after the invocation every batchCheckpointFrequency batches whether the function succeeded or not, and
 * on a graceful stop checkpoint what was processed. After a crash it resumes at the checkpoint, so the
 * events after it are delivered again (at least once).
 *
 * The checkpoint (an fsync) is written before the next batch goes out, not beside it: ingest's effectively-once
 * scheme commits a stream's batch N when it sees N+1, so a checkpoint lagging a batch behind lets a crash redeliver
 * two batches as one, which the entity cannot split (events were lost in the crash test). Its wait also batches:
 * without it the pump took smaller batches and the CPU-bound host did more work per event (README, bench:e2e).
 */
export class PartitionPump {
  /** Next sequence number to deliver. */
  position = 0;
  inFlight = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private batchesSinceCheckpoint = 0;
  private lastProcessed: HubEvent | undefined;

  constructor(private readonly o: PumpOptions) {}

  private startPosition(): { position: number; hadCheckpoint: boolean } {
    const checkpoint = this.o.checkpoints.get(this.o.checkpointGroup, this.o.log.partitionId);
    if (checkpoint) return { position: checkpoint.sequenceNumber + 1, hadCheckpoint: true };
    const initial = this.o.options.initialOffset;
    if (initial.type === 'fromEnd') return { position: this.o.log.nextSequenceNumber, hadCheckpoint: false };
    if (initial.type === 'fromEnqueuedTime')
      return { position: this.o.log.sequenceNumberAt(initial.enqueuedTimeUtc), hadCheckpoint: false };
    return { position: 0, hadCheckpoint: false };
  }

  start(): void {
    const { position, hadCheckpoint } = this.startPosition();
    this.position = position;
    this.loop = this.run(hadCheckpoint);
  }

  private async run(hadCheckpoint: boolean): Promise<void> {
    const { log, hub, options } = this.o;
    const signal = this.abort.signal;
    // As in the extension: with no checkpoint the first partial batch goes out without waiting.
    let first = !hadCheckpoint;
    let waitingSince: number | undefined;
    while (!signal.aborted) {
      const available = log.nextSequenceNumber - this.position;
      if (available <= 0) {
        await hub.waitForEvents(log.partitionId, signal);
        continue;
      }
      if (options.minEventBatchSize > 1 && available < options.minEventBatchSize && !first) {
        waitingSince ??= Date.now();
        const left = waitingSince + options.maxWaitTimeMs - Date.now();
        if (left > 0) {
          await hub.waitForEvents(log.partitionId, signal, left);
          continue;
        }
      }
      waitingSince = undefined;
      first = false;
      try {
        const batch = log.read(this.position, options.maxEventBatchSize);
        this.inFlight = batch.length;
        await invokeBatch(this.o.invoker, batch, this.o.partitionContext, signal);
        this.position += batch.length;
        this.inFlight = 0;
        this.lastProcessed = batch[batch.length - 1];
        this.batchesSinceCheckpoint++;
        if (this.batchesSinceCheckpoint >= options.batchCheckpointFrequency) await this.checkpoint();
      } catch (err) {
        // The log or the checkpoint store failed (not the function): report and try again shortly.
        this.inFlight = 0;
        this.o.invoker.logError(
          `Event hub "${this.o.partitionContext.eventHubName}" partition ${log.partitionId}: ${ensureError(err).message}`,
        );
        await hub.waitForEvents(log.partitionId, signal, 1000);
      }
    }
  }

  private async checkpoint(): Promise<void> {
    const last = this.lastProcessed;
    if (!last || this.batchesSinceCheckpoint === 0) return;
    this.batchesSinceCheckpoint = 0;
    await this.o.checkpoints.set(this.o.checkpointGroup, this.o.log.partitionId, {
      sequenceNumber: last.sequenceNumber,
      offset: last.offset,
      updatedAt: new Date().toISOString(),
    });
  }

  /** Lets the batch in flight finish, then checkpoints what was processed (graceful shutdown). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.checkpoint();
  }
}
