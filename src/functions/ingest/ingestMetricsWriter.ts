import { simulationHooks } from '../../simulationHooks';
import type { IngestMetricsInput, IngestMetricsStore } from '../../storage';
import { backoffDelay, classifyError, type RetryOptions } from '../shared/storageFaults';

/** A row's write is retried this way while it fails transiently (storage down), then logged and given up. */
export const METRICS_RETRY: RetryOptions = { attempts: 8, minDelayMs: 250, maxDelayMs: 5000 };

/**
 * Records ingest's batch metrics beside the next batch instead of in front of the trigger's checkpoint (a Table
 * read-modify-write, ~70 ms per batch on the local host). One write per (minute, partition) row at a time, so a
 * partition's batches never race each other's ETag; the batches that finish while it runs are folded into the row's
 * next write. A batch waits only for the write of the batches before it (backpressure when Table storage is slower
 * than the batches, so nothing piles up in memory). A write that fails transiently is retried with backoff (the
 * batches recorded meanwhile join it), so a storage outage of up to ~25 s loses no metrics; one that keeps failing, or
 * fails permanently, is logged with what it carried (never dropped silently). Metrics are operational figures, not the
 * effectively-once aggregates, so a crash may lose the batches not yet written.
 */
export class IngestMetricsWriter {
  private readonly pending = new Map<string, IngestMetricsInput[]>();
  private readonly writing = new Map<string, Promise<void>>();
  /** Per row, the store write in flight (one recordAll). */
  private readonly current = new Map<string, Promise<void>>();

  constructor(
    private readonly store: IngestMetricsStore,
    private readonly logError: (message: string) => void,
    private readonly retry: RetryOptions = METRICS_RETRY,
  ) {}

  /** Queues one batch's metrics; resolves once the row's write already in flight (if any) is done, not this one. */
  record(input: IngestMetricsInput): Promise<void> {
    // The row's minute: `at` is the ISO time handleIngest stamps (YYYY-MM-DDTHH:MM...).
    const key = `${input.at.slice(0, 16)}\u0000${input.partition}`;
    const queue = this.pending.get(key);
    if (queue) queue.push(input);
    else this.pending.set(key, [input]);
    const inFlight = this.current.get(key);
    if (!this.writing.has(key)) this.writing.set(key, this.drain(key));
    return inFlight ?? Promise.resolve();
  }

  /** Resolves once everything recorded so far is written (or its failure logged). */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private async drain(key: string): Promise<void> {
    // Let the batches finishing in this turn join the first write.
    await Promise.resolve();
    try {
      let failures = 0;
      for (let inputs = this.pending.get(key); inputs; inputs = this.pending.get(key)) {
        this.pending.delete(key);
        const write = this.store.recordAll(inputs);
        this.current.set(
          key,
          write.then(
            () => undefined,
            () => undefined,
          ),
        );
        try {
          await write;
          failures = 0;
        } catch (err) {
          if (classifyError(err) === 'transient' && ++failures < this.retry.attempts) {
            // Put them back in front of what was recorded meanwhile, and wait before the next write.
            this.pending.set(key, [...inputs, ...(this.pending.get(key) ?? [])]);
            const delay = backoffDelay(this.retry, failures);
            await (
              this.retry.sleep ??
              simulationHooks()?.sleep ??
              ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
            )(delay);
            continue;
          }
          failures = 0;
          const events = inputs.reduce((n, i) => n + i.eventsIn, 0);
          const first = inputs[0];
          this.logError(
            `ingest: metrics of ${inputs.length} batch(es) (${events} events in) on partition ${first?.partition} at ${first?.at} were not recorded: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    } finally {
      this.current.delete(key);
      this.writing.delete(key);
    }
  }
}
