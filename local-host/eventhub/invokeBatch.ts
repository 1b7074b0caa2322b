import { setTimeout as sleep } from 'node:timers/promises';

import { ensureError } from '../errors';
import type { InvokeRequest, InvokeResult } from '../extension';
import type { RetrySchedule } from './retryPolicy';
import { type PartitionContextInfo, toTriggerInput, type TriggerShape } from './toTriggerInput';
import type { HubEvent } from './types';

export interface BatchInvoker {
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  shape: TriggerShape;
  retry: RetrySchedule;
  /** The retry policy's maxRetryCount: with it, every attempt carries a retryContext, as the Functions host sends. */
  maxRetryCount?: number;
  logError(message: string): void;
}

/** Thrown when the host stops while a batch is still being retried: the batch is not done and must not be checkpointed. */
export class BatchStoppedError extends Error {
  constructor(where: string) {
    super(
      `Stopping while ${where} was still being retried: not checkpointed, it is delivered again on the next start.`,
    );
    this.name = 'BatchStoppedError';
  }
}

/**
 * Invokes the trigger for one batch, retrying per the function's retry options. Resolves true on success,
 * false when it gave up (logged): the caller checkpoints past the batch either way, as the extension does,
 * because Event Hubs has no poison-event handling of its own. A stop while retries remain rejects with
 * BatchStoppedError instead (the retries were not spent, so the batch was not given up on).
 */
export async function invokeBatch(
  invoker: BatchInvoker,
  events: readonly HubEvent[],
  partition: PartitionContextInfo | null,
  signal?: AbortSignal,
): Promise<boolean> {
  const first = events[0];
  const last = events[events.length - 1];
  const where = `partition ${partition?.partitionId ?? '-'} of event hub "${partition?.eventHubName ?? '-'}", sequence numbers ${first?.sequenceNumber}-${last?.sequenceNumber}`;
  let lastError: Error | undefined;
  for (let failed = 0; ;) {
    try {
      const input = toTriggerInput(events, invoker.shape, partition);
      const retryContext =
        invoker.maxRetryCount === undefined
          ? undefined
          : {
              retryCount: failed,
              maxRetryCount: invoker.maxRetryCount,
              ...(lastError
                ? {
                    exception: {
                      message: lastError.message,
                      source: lastError.name,
                      ...(lastError.stack ? { stackTrace: lastError.stack } : {}),
                    },
                  }
                : {}),
            };
      await invoker.invoke({
        functionName: invoker.shape.functionName,
        ...input,
        ...(retryContext ? { retryContext } : {}),
      });
      return true;
    } catch (err) {
      failed++;
      lastError = ensureError(err);
      const message = lastError.message;
      const delay = invoker.retry(failed);
      if (delay !== undefined && signal?.aborted) throw new BatchStoppedError(where);
      if (delay === undefined) {
        invoker.logError(
          `Function "${invoker.shape.functionName}" failed on ${where} (${events.length} events): ${message}. Moving past the batch, as the Event Hubs trigger does.`,
        );
        return false;
      }
      invoker.logError(
        `Function "${invoker.shape.functionName}" failed on ${where}: ${message}. Retry ${failed} in ${delay} ms.`,
      );
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw new BatchStoppedError(where);
      }
    }
  }
}
