import type * as df from 'durable-functions';

import { combinePartials, type PipelineConfig, type StreamPartial } from '../../core';
import type { BufferedBatch, DeadLetterRecord, IngestBufferStore } from '../../storage';
import { classifyError, DEFAULT_RETRY, errorMessage, type RetryOptions, retryTransient } from '../shared/storageFaults';
import { type MergeInput, streamEntityId, type StreamSignal } from '../stream/streamContract';
import { BatchMemory } from './batchMemory';
import type { IngestTriggerMetadata } from './ingest';

/** What one buffered row holds: the batch's partials and the configs their merges need. */
interface BufferPayload {
  partials: StreamPartial[];
  configs: Record<string, PipelineConfig>;
}

/** Rows combined into one flush at most, so a backlog after an outage is delivered in bounded steps. */
export const MAX_GROUP_BATCHES = 50;

export interface FlushSink {
  signal(entity: df.EntityId, operation: StreamSignal): Promise<void>;
  /** Writes dead letters (ingest's writer: retried, quarantined when too large). */
  deadLetter(records: DeadLetterRecord[]): Promise<void>;
  warn(message: string): void;
  error(message: string): void;
  /**
   * Called once a group's merges were sent, with the partials delivered: the partition's progress that later partials
   * report to other partitions' streams moves only now, never ahead of its batches still buffered (rule 9).
   */
  reported(partition: string, partials: readonly StreamPartial[]): void;
  /** Called when a background flush (started by ingest) delivered something: its operations go to the metrics. */
  delivered?(result: FlushResult): Promise<void>;
}

export interface FlushResult {
  /** Entity operations sent (merges + commits); 0 when there was nothing to flush or another flusher had it. */
  operations: number;
  events: number;
  /** The group's range, when one was delivered. */
  range?: { firstSequence: number; lastSequence: number };
}

/**
 * Coalescing ingest (ENTITY_FLUSH_INTERVAL > 0), the rules in docs/explanation/effectively-once.md#coalescing-entity_flush_interval:
 * ingest buffers every batch durably before its invocation returns; a flush delivers a partition's buffered batches
 * as one partial per stream over the group's range, under a claim on the partition's mark (ETag-checked), so a group is
 * re-sent only whole and only while its claim stands. Process-local memory (the last flush, the known marks, the
 * previous group for commits) only saves reads and operations; a new process starts from the table.
 */
export class IngestCoalescer {
  private readonly lastFlushAt = new Map<string, number>();
  private readonly knownMark = new Map<string, number>();
  private readonly lastBuffered = new Map<string, number>();
  private readonly groups = new BatchMemory();
  /** Per partition, the background flush in flight (at most one: a second would only lose its claim). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    readonly intervalMs: number,
    private readonly store: IngestBufferStore,
    private readonly now: () => number = Date.now,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`IngestCoalescer: expected a positive interval, found ${intervalMs}`);
  }

  /**
   * Rule 5: the batch without the events already delivered (at or before the partition's flushedThrough). The mark is
   * read only for a partition this process has not buffered, or a batch that does not start after the last it did.
   */
  async unflushed(
    bodies: unknown[],
    meta: IngestTriggerMetadata,
  ): Promise<{ bodies: unknown[]; meta: IngestTriggerMetadata; skipped: number }> {
    const partition = meta.partitionId;
    const first = meta.sequenceNumbers.length ? Math.min(...meta.sequenceNumbers) : -1;
    const seen = this.lastBuffered.get(partition);
    let mark = this.knownMark.get(partition);
    if (mark === undefined || seen === undefined || first <= seen) {
      mark = (await retryTransient(() => this.store.mark(partition), this.retry)).flushedThrough;
      this.knownMark.set(partition, mark);
    }
    const through = mark;
    if (first > through) return { bodies, meta, skipped: 0 };
    const keep = meta.sequenceNumbers.map((s, i) => (s > through ? i : -1)).filter((i) => i >= 0);
    return {
      bodies: keep.map((i) => bodies[i]),
      meta: {
        partitionId: partition,
        sequenceNumbers: keep.map((i) => meta.sequenceNumbers[i] as number),
        enqueuedTimes: keep.map((i) => meta.enqueuedTimes[i] as string | number),
      },
      skipped: bodies.length - keep.length,
    };
  }

  /** Rule 1: the batch's partials, durable before the invocation returns. */
  async buffer(
    partition: string,
    firstSequence: number,
    lastSequence: number,
    partials: readonly StreamPartial[],
    configs: ReadonlyMap<string, PipelineConfig>,
  ): Promise<void> {
    if (firstSequence < 0) return;
    const used = new Set(partials.map((p) => p.pipeline));
    const payload: BufferPayload = {
      partials: [...partials],
      configs: Object.fromEntries([...configs].filter(([name]) => used.has(name))),
    };
    const text = JSON.stringify(payload);
    await retryTransient(
      () => this.store.put({ partition, firstSequence, lastSequence, bufferedAt: this.now(), payload: text }),
      this.retry,
    );
    this.lastBuffered.set(partition, lastSequence);
  }

  /** Rule 6: whether this process should flush the partition now (its last flush here is at least the interval ago). */
  isDue(partition: string): boolean {
    const last = this.lastFlushAt.get(partition);
    return last === undefined || this.now() - last >= this.intervalMs;
  }

  /**
   * Rule 6, off the invocation's path: starts a flush of the partition unless one is in flight, and returns at once.
   * The batch is durable already, so a flush that fails or dies with the process loses nothing: its claim (or the
   * buffered rows) are delivered by the next flush or the timer. Errors are logged, not thrown.
   */
  flushInBackground(partition: string, sink: FlushSink): void {
    if (this.inFlight.has(partition)) return;
    const run = this.flush(partition, sink, true)
      .then(async (r) => {
        if (r.operations > 0) await sink.delivered?.(r);
      })
      .catch((e: unknown) =>
        sink.warn(
          `ingest buffer: background flush of partition ${partition} failed, the next flush or the timer retries it: ${errorMessage(e)}`,
        ),
      )
      .finally(() => this.inFlight.delete(partition));
    this.inFlight.set(partition, run);
  }

  /** Waits for the partition's background flush in flight, if any (errors were logged by it, not thrown here). */
  async flushed(partition: string): Promise<void> {
    await this.inFlight.get(partition);
  }

  /** Waits for the background flushes in flight (tests, and the host's shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /**
   * Rule 3: delivers the partition's buffered batches (or re-sends a standing claim). Throws on transient failures.
   * `holdNewest` (ingest's flush, rule 3a): the newest batch, just buffered and not checkpointed yet, waits for the
   * next flush when older ones are there, so the group is final; the timer does so while the newest batch is younger
   * than the interval, and sends every batch of a partition gone quiet.
   */
  async flush(partition: string, sink: FlushSink, holdNewest = false): Promise<FlushResult> {
    const retried = <T>(what: string, action: () => Promise<T>) =>
      retryTransient(action, this.retry, (e, n, ms) =>
        sink.warn(`ingest buffer: ${what} failed (retry ${n} in ${ms} ms): ${errorMessage(e)}`),
      );
    const mark = await retried('reading the mark', () => this.store.mark(partition));
    const rows = await retried('listing the buffer', () => this.store.list(partition));
    this.lastFlushAt.set(partition, this.now());
    let group: BufferedBatch[];
    let etag: string | null;
    /** Rule 3a: whether every batch of the group has a later batch buffered after it (so it was checkpointed). */
    const finalGroup = (g: readonly BufferedBatch[]) => {
      const end = Math.max(...g.map((r) => r.lastSequence));
      return g.length > 0 && rows.some((r) => r.firstSequence > end);
    };
    let leftovers: number[] = [];
    if (mark.claim) {
      const claim = mark.claim;
      group = rows.filter((r) => r.firstSequence >= claim.firstSequence && r.firstSequence <= claim.lastSequence);
      etag = mark.etag;
      sink.warn(
        `ingest buffer: partition ${partition} has a standing claim [${claim.firstSequence}, ${claim.lastSequence}] (a flush did not finish): sending it again`,
      );
    } else {
      leftovers = rows.filter((r) => r.lastSequence <= mark.flushedThrough).map((r) => r.firstSequence);
      const unflushed = rows.filter((r) => r.lastSequence > mark.flushedThrough);
      // The timer holds it too while it is younger than the interval: the partition is busy, ingest flushes it next.
      const newest = unflushed.at(-1);
      const hold = holdNewest || (newest !== undefined && this.now() - newest.bufferedAt < this.intervalMs);
      const take = hold ? Math.max(1, unflushed.length - 1) : unflushed.length;
      group = unflushed.slice(0, Math.min(MAX_GROUP_BATCHES, take));
      if (group.length === 0) {
        if (leftovers.length > 0)
          await retried('deleting delivered rows', () => this.store.remove(partition, leftovers));
        this.knownMark.set(partition, mark.flushedThrough);
        return { operations: 0, events: 0 };
      }
      const claim = {
        firstSequence: group[0]?.firstSequence as number,
        lastSequence: Math.max(...group.map((r) => r.lastSequence)),
      };
      etag = await retried('claiming', () =>
        this.store.setMark(partition, { flushedThrough: mark.flushedThrough, claim }, mark.etag),
      );
      if (etag === null) return { operations: 0, events: 0 };
    }
    const range =
      group.length === 0
        ? (mark.claim ?? { firstSequence: 0, lastSequence: mark.flushedThrough })
        : {
            firstSequence: group[0]?.firstSequence as number,
            lastSequence: Math.max(...group.map((r) => r.lastSequence)),
          };

    const byStream = new Map<string, StreamPartial[]>();
    const configs = new Map<string, PipelineConfig>();
    for (const row of group) {
      const payload = JSON.parse(row.payload) as BufferPayload;
      for (const [name, config] of Object.entries(payload.configs)) configs.set(name, config);
      for (const p of payload.partials) {
        const key = `${p.pipeline}|${p.stream}`;
        const list = byStream.get(key);
        if (list) list.push(p);
        else byStream.set(key, [p]);
      }
    }
    const final = finalGroup(group);
    const partials = [...byStream.values()].map((parts) => {
      const combined = combinePartials(parts, range);
      return final ? { ...combined, final } : combined;
    });
    const commits = this.groups.commitsFor(partition, range.firstSequence, partials);
    const send = (entity: df.EntityId, op: StreamSignal) =>
      retried(`${op.kind} for ${entity.key}`, () => sink.signal(entity, op));
    const [merged, committed] = await Promise.all([
      Promise.allSettled(
        partials.map((partial) =>
          send(streamEntityId(partial.pipeline, partial.stream), {
            kind: 'merge',
            input: { partial, pipeline: configs.get(partial.pipeline) as MergeInput['pipeline'] },
          }),
        ),
      ),
      Promise.allSettled(
        commits.map((c) => send(streamEntityId(c.pipeline, c.stream), { kind: 'commit', input: c.input })),
      ),
    ]);
    const transient = [...merged, ...committed].filter(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && classifyError(r.reason) === 'transient',
    );
    if (transient.length > 0) {
      // The claim stands: the next flush (the retried invocation, or the timer) sends this same group again.
      throw new Error(
        `ingest buffer: ${transient.length} entity operation(s) of partition ${partition}'s group [${range.firstSequence}, ${range.lastSequence}] kept failing: ${errorMessage(transient[0]?.reason)}`,
        { cause: transient[0]?.reason },
      );
    }
    const rejected: DeadLetterRecord[] = [];
    merged.forEach((r, i) => {
      const p = partials[i] as StreamPartial;
      if (r.status === 'fulfilled') return;
      sink.error(
        `ingest buffer: merge for ${p.pipeline}/${p.stream} rejected permanently (${errorMessage(r.reason)}); its ${p.events} event(s) are dead-lettered as 'storage'`,
      );
      rejected.push({
        raw: JSON.stringify(p),
        reason: 'storage',
        detail: `the stream entity rejected the coalesced partial of ${p.events} aggregated event(s) (sequences ${p.firstEventSequence}-${p.lastEventSequence}): ${errorMessage(r.reason)}`,
        partition,
        sequenceNumber: p.lastEventSequence,
        enqueuedTime: new Date(p.maxEnqueuedTime).toISOString(),
        recordedAt: new Date(this.now()).toISOString(),
        pipeline: p.pipeline,
        stream: p.stream,
      });
    });
    if (rejected.length > 0) await sink.deadLetter(rejected);
    committed.forEach((r, i) => {
      if (r.status === 'rejected')
        sink.warn(
          `ingest buffer: commit for ${commits[i]?.pipeline}/${commits[i]?.stream} rejected, the idle flush will commit instead: ${errorMessage(r.reason)}`,
        );
    });
    const done = await retried('completing the claim', () =>
      this.store.setMark(
        partition,
        { flushedThrough: Math.max(mark.flushedThrough, range.lastSequence), claim: null },
        etag,
      ),
    );
    if (done === null) {
      // Another flusher took the partition over and re-sent this group (same firstSequence: replaced at the entities).
      sink.warn(
        `ingest buffer: partition ${partition}'s mark moved while flushing [${range.firstSequence}, ${range.lastSequence}]; leaving its rows to that flusher`,
      );
    } else {
      await retried('deleting delivered rows', () =>
        this.store.remove(partition, [...leftovers, ...group.map((r) => r.firstSequence)]),
      );
      this.knownMark.set(partition, Math.max(mark.flushedThrough, range.lastSequence));
    }
    const delivered = partials.filter((_, i) => merged[i]?.status === 'fulfilled');
    sink.reported(partition, delivered);
    // A final group was committed by its merges: the next group owes its streams no commit.
    this.groups.remember(partition, range.firstSequence, range.lastSequence, final ? [] : delivered, configs);
    return { operations: partials.length + commits.length, events: partials.reduce((n, p) => n + p.events, 0), range };
  }

  /** The timer's pass (rule 6): flushes every partition whose oldest buffered batch is at least the interval old. */
  async flushStale(sink: FlushSink): Promise<FlushResult[]> {
    const now = this.now();
    const stale = (await this.store.partitions()).filter((p) => now - p.oldestBufferedAt >= this.intervalMs);
    const out: FlushResult[] = [];
    for (const { partition } of stale) out.push(await this.flush(partition, sink));
    return out;
  }
}

/**
 * After a batch was folded: buffer it (awaited: rule 1), then, when the partition is due, start its flush in the
 * background so the invocation returns (and the trigger checkpoints) without waiting for the entity operations.
 * The batch itself records no entity operations; the flush records its own (FlushSink.delivered).
 */
export async function bufferAndMaybeFlush(
  coalescer: IngestCoalescer,
  batch: {
    partition: string;
    firstSequence: number;
    lastSequence: number;
    partials: readonly StreamPartial[];
    configs: ReadonlyMap<string, PipelineConfig>;
  },
  sink: FlushSink,
): Promise<FlushResult> {
  await coalescer.buffer(batch.partition, batch.firstSequence, batch.lastSequence, batch.partials, batch.configs);
  if (coalescer.isDue(batch.partition)) {
    // Rule 6, backpressure: a due partition whose previous flush is still running waits for it, so what its entities
    // have received stays within about one interval (or one flush) of what ingest has read, as with PT0S.
    await coalescer.flushed(batch.partition);
    coalescer.flushInBackground(batch.partition, sink);
  }
  return { operations: 0, events: 0 };
}

let shared: IngestCoalescer | null | undefined;
/** The process's coalescer, shared by ingest and the flushIngestBuffer timer; null while ENTITY_FLUSH_INTERVAL is PT0S. */
export function defaultCoalescer(intervalMs: number, store: () => IngestBufferStore): IngestCoalescer | null {
  if (shared === undefined) shared = intervalMs > 0 ? new IngestCoalescer(intervalMs, store()) : null;
  return shared;
}
