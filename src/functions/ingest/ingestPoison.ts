import type { InvocationContext } from '@azure/functions';

import { type BatchInput, type BatchResult, type DeadLetter, parseEnqueuedTime, processBatch } from '../../core';
import { errorMessage } from '../shared/storageFaults';

/**
 * Poison batches (docs/explanation/effectively-once.md, "Poison batches"). processBatch is pure: when it throws, the
 * same batch throws again on every retry, and the trigger (maxRetryCount -1) would retry it forever, holding its
 * partition. So the first POISON_AFTER_RETRIES failures fail the invocation as before (the trigger retries the batch,
 * and a fault that is not in the events - a bad deployment rolled back - gets its chance); from then on ingest splits
 * the batch in halves and runs the core on each, in process, until the events it throws on are isolated. Those are
 * dead-lettered `poison` with the error; the rest are processed as one batch, exactly as before.
 */
export const POISON_AFTER_RETRIES = 2;

/**
 * Core runs one bisection may spend: isolating k poison events of n takes about 2k·log2(n) runs. Past it, every event
 * of a part not yet resolved is dead-lettered `poison` too (replayable, never lost), so a batch can never hold its
 * partition.
 */
export const MAX_BISECTION_RUNS = 256;

export type Process = (input: BatchInput) => BatchResult;

/** Thrown by the core: the batch fails, the trigger retries it (and counts the retries in retryContext). */
export class CoreFailure extends Error {
  constructor(
    readonly attempt: number,
    cause: unknown,
  ) {
    super(
      `the pipeline threw on this batch (attempt ${attempt + 1}; bisected after ${POISON_AFTER_RETRIES} retries): ${errorMessage(cause)}`,
      { cause },
    );
    this.name = 'CoreFailure';
  }
}

/**
 * Failed attempts of each batch in this process, for a host that gives no retryContext (the Functions host and the
 * local host both give it for a function with a retry policy). Keyed by partition and sequence range; bounded.
 */
export class AttemptMemory {
  private readonly attempts = new Map<string, number>();
  failed(key: string): number {
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.delete(key);
    this.attempts.set(key, n);
    if (this.attempts.size > 1024) this.attempts.delete(this.attempts.keys().next().value as string);
    return n;
  }
  forget(key: string): void {
    this.attempts.delete(key);
  }
  /** Retries so far of the batch (0 on its first delivery). */
  retries(key: string): number {
    return this.attempts.get(key) ?? 0;
  }
}

/** The invocation's retry number: retryContext.retryCount when the host gives it, else what this process counted. */
export function retryCountOf(context: InvocationContext, memory: AttemptMemory, key: string): number {
  const count = context.retryContext?.retryCount;
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : memory.retries(key);
}

export interface PoisonOutcome {
  result: BatchResult;
  /** Events dead-lettered `poison`. */
  poison: number;
  /** Core runs the bisection took (0 when the batch did not throw). */
  runs: number;
}

const subset = (input: BatchInput, indices: readonly number[]): BatchInput => ({
  ...input,
  bodies: indices.map((i) => input.bodies[i]),
  sequenceNumbers: indices.map((i) => input.sequenceNumbers[i] as number),
  enqueuedTimes: indices.map((i) => input.enqueuedTimes[i] as string | number | Date),
  ...(input.targets === undefined ? {} : { targets: indices.map((i) => input.targets?.[i]) }),
});

function rawText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}

/**
 * Runs the core on the batch. When it throws: before POISON_AFTER_RETRIES retries, throws CoreFailure (the invocation
 * fails and is retried); after, bisects. `retries` is the invocation's retry number.
 */
export function processIsolatingPoison(
  input: BatchInput,
  retries: number,
  process: Process,
  log: (message: string) => void,
): PoisonOutcome {
  let first: unknown;
  try {
    return { result: process(input), poison: 0, runs: 0 };
  } catch (e) {
    first = e;
  }
  if (retries < POISON_AFTER_RETRIES) throw new CoreFailure(retries, first);
  const all = input.bodies.map((_, i) => i);
  const poison = new Map<number, string>();
  let runs = 1;
  // Depth first, halves in order: parts that run cleanly are kept, singletons that throw are poison.
  const stack: number[][] = [];
  const clean: number[] = [];
  const split = (part: number[], error: unknown) => {
    if (part.length === 1) poison.set(part[0] as number, errorMessage(error));
    else if (part.length > 1) {
      const mid = Math.ceil(part.length / 2);
      stack.push(part.slice(mid), part.slice(0, mid));
    }
  };
  split(all, first);
  while (stack.length > 0) {
    const part = stack.pop() as number[];
    if (runs >= MAX_BISECTION_RUNS) {
      for (const i of part)
        poison.set(
          i,
          `bisection stopped after ${MAX_BISECTION_RUNS} core runs before this event's part was resolved: ${errorMessage(first)}`,
        );
      continue;
    }
    runs++;
    try {
      process(subset(input, part));
      clean.push(...part);
    } catch (e) {
      split(part, e);
    }
  }
  clean.sort((a, b) => a - b);
  let result: BatchResult;
  try {
    result = process(subset(input, clean));
  } catch (e) {
    // Events that throw only together: none alone is the culprit, so all of them go (replayable) rather than the batch
    // holding its partition.
    for (const i of clean)
      poison.set(i, `the events of this batch that ran cleanly in parts threw together: ${errorMessage(e)}`);
    result = process(subset(input, []));
  }
  runs++;
  const batchFirst = input.sequenceNumbers.length ? Math.min(...input.sequenceNumbers) : -1;
  const batchLast = input.sequenceNumbers.length ? Math.max(...input.sequenceNumbers) : -1;
  // The partials keep the whole batch's range: a redelivery from the same checkpoint starts at the same firstSequence.
  for (const p of result.partials) {
    p.firstSequence = batchFirst;
    p.lastSequence = batchLast;
  }
  const letters: DeadLetter[] = [...poison.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, error]) => ({
      raw: rawText(input.bodies[i]),
      reason: 'poison',
      detail: `the pipeline threw on this event (isolated by bisecting a batch of ${input.bodies.length} that failed ${retries + 1} times): ${error.slice(0, 2000)}`,
      partition: input.partitionId,
      sequenceNumber: input.sequenceNumbers[i] as number,
      enqueuedTime: new Date(parseEnqueuedTime(input.enqueuedTimes[i]) ?? input.now).toISOString(),
    }));
  const m = result.metrics;
  result.deadLetters.push(...letters);
  // One delivery each, in the batch totals only (which pipeline threw is not known): eventsIn = aggregated + filtered + deadLettered holds.
  m.bodies += letters.length;
  m.eventsIn += letters.length;
  m.deadLettered += letters.length;
  m.byReason = { ...m.byReason, poison: m.byReason.poison + letters.length };
  m.firstSequence = input.sequenceNumbers.length ? batchFirst : null;
  m.lastSequence = input.sequenceNumbers.length ? batchLast : null;
  log(
    `ingest partition ${input.partitionId}: the batch of ${input.bodies.length} (sequences ${batchFirst}-${batchLast}) threw ${retries + 1} times (${errorMessage(first)}); bisected in ${runs} core runs: ${letters.length} event(s) dead-lettered as poison (sequences ${letters.map((l) => l.sequenceNumber).join(',')}), ${input.bodies.length - letters.length} processed`,
  );
  return { result, poison: letters.length, runs };
}

/** The core's processBatch: ingest's default `Process` (tests inject a throwing one through STREAMFOLD_FAULTS). */
export const defaultProcess: Process = processBatch;
