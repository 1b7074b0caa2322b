import type { Aggregate, EncodedAggregate } from '../aggregates';
import type { CompiledPipeline } from '../pipelines';

/**
 * `future`: the event's time is later than its enqueued time + MAX_FUTURE_SKEW (docs/explanation/event-time.md).
 * `storage`: data a permanent storage failure kept from its destination (a stream's partial, or a closed window).
 * `poison`: an event on which processing threw, isolated by ingest's bisection of a batch that kept failing
 * (docs/explanation/effectively-once.md, "Poison batches"); processBatch itself never gives it.
 */
export type DeadLetterReason =
  'invalid-json' | 'schema' | 'expression' | 'late' | 'future' | 'no-pipeline' | 'storage' | 'poison';
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'invalid-json',
  'schema',
  'expression',
  'late',
  'future',
  'no-pipeline',
  'storage',
  'poison',
];

/** MAX_FUTURE_SKEW's default, PT1H. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 3_600_000;

export interface BatchInput {
  /**
   * The trigger's bytes (UTF-8, decoded strictly; dead letters keep the text as received), raw strings, or values
   * already JSON-parsed (re-serialized for dead letters).
   */
  bodies: readonly unknown[];
  partitionId: string;
  sequenceNumbers: readonly number[];
  /** ISO strings (without a zone they are UTC, as the Event Hubs trigger sends them), epoch ms or Dates. */
  enqueuedTimes: readonly (string | number | Date)[];
  pipelines: readonly CompiledPipeline[];
  /**
   * The progress of this batch's partition for a stream before the batch (ingest: the max event time it aggregated for
   * the stream from this partition); events older than it - allowedLateness are late.
   */
  watermarks?: (pipeline: string, stream: string) => number | undefined;
  /**
   * Progress of the partitions the caller reads, per pipeline (ingest: every partition of its process, over all
   * streams), attached to each partial as `progress` (docs/explanation/event-time.md, "partitions not heard from").
   */
  progress?: (pipeline: string) => Record<string, PartitionProgressReport> | undefined;
  /**
   * The hub's partition count (EVENTHUB_PARTITION_COUNT; partition ids "0".."n-1"), attached to each partial: the
   * entity then holds a stream's windows for partitions it has not heard of yet (docs/explanation/event-time.md).
   */
  partitionCount?: number;
  /** An event later than its enqueued time + this is dead-lettered `future` (default DEFAULT_MAX_FUTURE_SKEW_MS). */
  maxFutureSkewMs?: number;
  /** MIN_EVENT_TIME: an event earlier than this (epoch ms) is dead-lettered `schema`; undefined = no floor. */
  minEventTime?: number;
  now: number;
  /**
   * DEADLETTER_UNMATCHED: an event that every active pipeline filtered out is also dead-lettered once, with reason
   * 'no-pipeline' and no pipeline. That record is an extra delivery of its own, counted only in the batch totals
   * (never in byPipeline), so per pipeline and overall eventsIn = aggregated + filtered + deadLettered still holds.
   */
  deadLetterUnmatched?: boolean;
  /**
   * Per event (indexed like `bodies`): a pipeline name makes that pipeline the only one to take the event (the others
   * skip it: no delivery, not counted); undefined or null: every pipeline. Ingest sets it for replayed dead letters
   * (docs/how-to/dead-letters.md); absent: every event goes to every pipeline.
   */
  targets?: readonly (string | null | undefined)[];
}

/** A partition's progress as ingest knows it: max event time aggregated from it (any stream), when its latest batch was processed. */
export interface PartitionProgressReport {
  watermark: number;
  at: number;
}

export interface PartialWindow {
  start: number;
  end: number;
  events: number;
  measures: Record<string, Aggregate>;
  /** The pipeline's `aggregates` by name (absent when it has none, so a measures-only state does not grow). */
  aggregates?: Record<string, EncodedAggregate>;
}

/** One batch's contribution to one (pipeline, stream): the payload of exactly one entity operation. */
export interface StreamPartial {
  pipeline: string;
  stream: string;
  partition: string;
  /** Range of the whole batch (not just this stream's events): replays from a checkpoint start at the same firstSequence. */
  firstSequence: number;
  lastSequence: number;
  /** Sequence numbers of this stream's first and last event in the batch (any outcome). */
  firstEventSequence: number;
  lastEventSequence: number;
  /** Aggregated events. */
  events: number;
  late: number;
  /** Events of this stream dead-lettered for schema or expression errors. */
  invalid: number;
  windows: PartialWindow[];
  /** Stream totals of this batch, per measure. */
  totals: Record<string, Aggregate>;
  /** Stream totals of this batch, per aggregate (absent when the pipeline has none). */
  aggregateTotals?: Record<string, EncodedAggregate>;
  maxEventTime: number | null;
  /** Progress of the partitions the sending process reads, after their batches were sent (BatchInput.progress). */
  progress?: Record<string, PartitionProgressReport>;
  /** The hub's partition count, when configured (BatchInput.partitionCount). */
  partitionCount?: number;
  /**
   * Coalescing only: every batch in the range is known checkpointed (a later batch of the partition was buffered), so
   * it can never be redelivered and the entity commits it on merge instead of keeping it pending (ingestCoalesce.ts).
   */
  final?: boolean;
  minEnqueuedTime: number;
  maxEnqueuedTime: number;
  /** Session windows: the pipeline's gap and maxDuration, so the entity merges sessions by the batch's rules. */
  session?: { gapMs: number; maxDurationMs: number };
  /** Enqueued -> processed (now) latency in ms of this stream's events. */
  latency: Aggregate;
  processedAt: number;
  /**
   * Events later than `lateness` but within the pipeline's `corrections`: not in `events`, `windows` or `totals`; the
   * entity applies them when this partial commits, as a revision of each closed window (a live one just takes them).
   * `firstSequence`/`lastSequence`: of these events. Absent when none (docs/explanation/windows-and-lateness.md).
   */
  revisions?: { events: number; firstSequence: number; lastSequence: number; windows: PartialWindow[] };
}

export interface DeadLetter {
  raw: string;
  reason: DeadLetterReason;
  detail: string;
  partition: string;
  sequenceNumber: number;
  enqueuedTime: string;
  pipeline?: string;
  stream?: string;
}

export interface OutcomeCounts {
  eventsIn: number;
  /** Deliveries of a readable event that the pipeline's `match` took (every readable one without a match); informational, not an outcome. */
  matched: number;
  aggregated: number;
  filtered: number;
  /**
   * Of `filtered`: events whose `match` or `filter` read a field the event lacks (SQL NULL semantics: false, so
   * filtered, not dead-lettered). A typo in a field name shows up here.
   */
  filteredMissing: number;
  deadLettered: number;
  byReason: Record<DeadLetterReason, number>;
}

export interface BatchMetrics extends OutcomeCounts {
  /** Bodies in the batch (eventsIn counts deliveries: bodies x pipelines). */
  bodies: number;
  pipelines: number;
  byPipeline: Record<string, OutcomeCounts>;
  /** Distinct stream keys in the batch. */
  streams: number;
  /** Entity operations the batch's partials need: one per partial (ingest adds its `commit` operations to this). */
  entityOperations: number;
  firstSequence: number | null;
  lastSequence: number | null;
  /** Wall-clock milliseconds processBatch took (the only clock it reads; results never depend on it). */
  processingMs: number;
  /** Enqueued-to-processed (`now`) latency of the batch's events in ms; null for an empty batch. */
  latencyMs: { min: number; mean: number; max: number } | null;
}

export interface BatchResult {
  partials: StreamPartial[];
  deadLetters: DeadLetter[];
  metrics: BatchMetrics;
}
