import type { Aggregate, AggregateResult, EncodedAggregate, Summary } from '../aggregates';
import type { PartialWindow, StreamPartial } from '../batch';

export interface PartitionProgress {
  /** Highest lastSequence merged into the committed state; -1 before any. */
  committed: number;
  /** The latest partial of this partition, kept unmerged because its batch may still be redelivered. */
  pending: StreamPartial | null;
  /** Max event time of this partition's committed events of the stream; null before any (docs/explanation/event-time.md). */
  watermark: number | null;
  /** `processedAt` (ingest's clock) of this partition's latest merged partial for the stream: decides whether it is idle. */
  lastMergeAt: number | null;
  /**
   * For a partition that has sent this stream nothing yet (lastMergeAt null): its progress over all streams and when
   * that was last reported by the partials of other partitions read by the same process. It holds the stream's windows
   * until it passes them or is not reported for idleTimeout (docs/explanation/event-time.md).
   */
  reported?: { watermark: number; at: number };
}

export interface RateSample {
  /** `${partition}:${firstSequence}`, so a redelivered batch replaces its sample instead of adding one. */
  key: string;
  at: number;
  events: number;
  minEnqueuedTime: number;
  maxEnqueuedTime: number;
  /** The batch's enqueued-to-processing latency for the view's recent p50/p99: sum, mean, m2, first, last are zeroed. */
  latency: Aggregate;
}

/** Entity state of one (pipeline, stream). JSON-safe. */
export interface StreamState {
  /** Shape version; loadState migrates older ones (migrateStreamState) and quarantines unknown ones. */
  version: 6;
  pipeline: string | null;
  stream: string | null;
  partitions: Record<string, PartitionProgress>;
  /** Committed counters (pending partials are added on read). */
  events: number;
  late: number;
  invalid: number;
  /** Events that reached the entity for an already closed window (the sender's watermark was stale). */
  lateAtEntity: number;
  /** Partials ignored as already merged (duplicates, stale redeliveries). */
  duplicates: number;
  /** Revisions of closed windows made by committed partials (each a new window version; windows-and-lateness.md). */
  revisions: number;
  /**
   * Revisions committed but not yet written as a new version of their window: the entity adapter writes each (once:
   * a version carrying the same sequence range is already written) and then drops it. Absent = none.
   */
  revisionsDue?: WindowRevision[];
  /**
   * Partials whose sequence range overlapped pending or committed data in a way the scheme cannot resolve exactly
   * (see README: only a redelivery longer than an idle-flushed batch can do this once the scheme's assumptions hold).
   */
  conflicts: number;
  totals: Record<string, Aggregate>;
  /** Stream totals of the pipeline's `aggregates`; absent while it has none (a measures-only state does not grow). */
  aggregateTotals?: Record<string, EncodedAggregate>;
  latency: Aggregate | null;
  /** Live (not yet closed) committed windows by windowKey(start). */
  windows: Record<string, PartialWindow>;
  /**
   * Stream watermark: the max over time of the min, over the stream's active partitions, of their committed max event
   * time (docs/explanation/event-time.md). Windows close once it passes their end + lateness.
   */
  watermark: number | null;
  /** Max event time of this stream's committed events (the max of partitions[p].watermark). */
  maxEventTime: number | null;
  /** Every window ending at or before this has been closed. */
  closedThrough: number | null;
  /**
   * The hub's partition count as the latest partial carrying one said (EVENTHUB_PARTITION_COUNT), and `since`, the
   * `processedAt` of the first partial that said it: a partition "0".."count-1" the stream has not heard of at all
   * holds its windows until it is heard of, or for idleTimeout after `since` (docs/explanation/event-time.md). Absent:
   * no count configured, only partitions heard of hold.
   */
  hubPartitions?: { count: number; since: number };
  firstSeen: number | null;
  lastSeen: number | null;
  samples: RateSample[];
  /**
   * Closed windows whose upsert failed; the entity adapter retries them on its next operation and on the idle flush,
   * keeping at most a bounded number (docs/explanation/effectively-once.md).
   */
  unsaved?: ClosedWindow[];
  /**
   * Set while the windows in `unsaved` are held back on purpose (WINDOW_WRITE_DELAY, core planWindowWrite), not after
   * a failed write: when they are written at the latest (processing time; the idle timer comes for them then).
   */
  unsavedDue?: number;
  /** Closed windows the entity adapter dead-lettered ('storage') instead of saving them; absent = 0. */
  unsavedDropped?: number;
  /**
   * Entity adapter bookkeeping for the idle flush: the pipeline's idleTimeout at the last merge (0 = off) and the
   * flushDue last written to the idle index (undefined = never written).
   */
  idle?: { timeoutMs: number; indexedDue?: number | null };
  /** Entity adapter bookkeeping for the Streams catalog: when its row was last written and the total it holds. */
  catalog?: { at: number; events: number };
  /** Operations refused because the stored state had a version this code does not read (kept by every version). */
  quarantined?: number;
  /**
   * Sessions absorbed by a merge during the current operation, emitted by its close as closedBy 'superseded'
   * (liveWindows.ts); never stored non-empty.
   */
  absorbed?: { window: PartialWindow; supersededBy: number }[];
  /**
   * Pending partials replaced by a redelivery of their batch (the 'replaced' merge outcome): redelivered events
   * recognised and counted once. Optional and additive (absent = 0), set by the entity adapter; no shape version step.
   */
  redeliveries?: number;
  /**
   * Entity adapter bookkeeping: the pipeline version of the last merge, stamped on windows the idle flush closes
   * (which carries no config). Optional and additive, so no shape version step: states without it read as unknown.
   */
  pipelineVersion?: number;
}

export type MeasureResult = Summary & { aggregate: Aggregate };

/** Late events within `corrections` for one closed window, committed by the entity: to be written as its next version. */
export interface WindowRevision {
  start: number;
  end: number;
  /** The late events' contribution to the window. */
  window: PartialWindow;
  /** The late events that caused it: their partition and first and last sequence number. */
  partition: string;
  firstSequence: number;
  lastSequence: number;
  /** When the entity committed it. */
  at: number;
}

/** What a version after the first changed: the delta and the late events that caused it. */
export interface RevisionDelta {
  events: { before: number; after: number };
  measures: Record<string, { before: Summary | null; after: Summary }>;
  partition: string;
  firstSequence: number;
  lastSequence: number;
}

/** A window leaving the entity for the Windows table; upserting it is idempotent. */
export interface ClosedWindow {
  pipeline: string;
  stream: string;
  start: number;
  end: number;
  events: number;
  measures: Record<string, MeasureResult>;
  /** The pipeline's `aggregates`: each its result (with its error bound) and its encoding; absent when none. */
  aggregates?: Record<string, AggregateResult & { data: string }>;
  closedAt: number;
  /** 1 when first closed; each revision writes version n+1 (absent on windows closed before revisions: read as 1). */
  version?: number;
  /** Versions after the first: what the revision changed and which late events caused it. */
  revision?: RevisionDelta;
  /**
   * 'watermark' normally; 'retention' when evicted to keep at most `retention` live windows; 'idle' when the idle
   * flush closed it because the stream had no events for the pipeline's idleTimeout.
   */
  closedBy: 'watermark' | 'retention' | 'idle' | 'superseded';
  /** closedBy 'superseded': a late event merged this session into the session starting at this time, which holds its events. */
  supersededBy?: number;
  /**
   * The pipeline version whose config closed it (the entity adapter stamps it; docs/explanation/pipeline-versions.md).
   * Absent for the built-in default pipeline and windows closed before versions.
   */
  pipelineVersion?: number;
}

/**
 * A closed window as the entity emits it and the Windows table stores it: each measure its Aggregate only, each of the
 * pipeline's aggregates its encoding. The Summary (stddev, first, last, p50/p90/p99) and the aggregates' results are
 * pure functions of those, so they are derived on read (storedWindow.ts closedWindowFromStored), never computed for a
 * window nobody reads yet. docs/explanation/table-layout.md has the bytes per row.
 */
export type StoredClosedWindow = Omit<ClosedWindow, 'measures' | 'aggregates'> & {
  measures: Record<string, Aggregate>;
  aggregates?: Record<string, EncodedAggregate>;
};

export type MergeOutcome = 'pending' | 'replaced' | 'committed-previous' | 'ignored' | 'conflict';

/** A batch's range of sequence numbers in its partition. */
export interface SequenceRange {
  firstSequence: number;
  lastSequence: number;
}

/** 'committed': the pending partial moved into the committed state; otherwise nothing changed. */
export type CommitOutcome = 'committed' | 'nothing-pending' | 'not-covered';

export interface CommitResult {
  state: StreamState;
  closedWindows: StoredClosedWindow[];
  outcome: CommitOutcome;
}

/** 'flushed': pending partials committed and live windows closed; otherwise nothing changed. */
export type FlushOutcome = 'flushed' | 'active' | 'nothing-open' | 'disabled';

export interface FlushResult {
  state: StreamState;
  closedWindows: StoredClosedWindow[];
  outcome: FlushOutcome;
}

export interface MergeResult {
  state: StreamState;
  closedWindows: StoredClosedWindow[];
  outcome: MergeOutcome;
}

export interface WindowView {
  start: number;
  end: number;
  events: number;
  measures: Record<string, Summary>;
  /** The pipeline's `aggregates` (absent when it has none). */
  aggregates?: Record<string, AggregateResult>;
}

export interface StreamView {
  pipeline: string | null;
  stream: string | null;
  events: number;
  totals: Record<string, Summary>;
  /** Stream totals of the pipeline's `aggregates` (absent when it has none). */
  aggregateTotals?: Record<string, AggregateResult>;
  /** Live windows (committed + pending), newest first. */
  windows: WindowView[];
  /** The stream watermark (see StreamState.watermark). */
  watermark: number | null;
  /** The latest event time aggregated (committed or pending) from any partition. */
  maxEventTime: number | null;
  closedThrough: number | null;
  metrics: {
    /** Arrival rate into the hub: recent events per second of enqueued time. */
    eventsPerSec: number;
    /** Recent events merged per second of wall-clock time at the entity. */
    processingRate: number;
    latencyP50: number | null;
    latencyP99: number | null;
    late: number;
    invalid: number;
    lateAtEntity: number;
    duplicates: number;
    /** Pending partials replaced by a redelivery of their batch (counted once, not twice). */
    redeliveries: number;
    /** Revisions of closed windows (new window versions) made by late events within `corrections`. */
    revisions: number;
    conflicts: number;
    /** Closed windows waiting for a retry of their save, and those dead-lettered ('storage') instead. */
    unsavedWindows: number;
    unsavedDropped: number;
    /** Operations quarantined while the stored state had a version the code then running could not read. */
    quarantined: number;
    firstSeen: string | null;
    lastSeen: string | null;
  };
  partitions: {
    partition: string;
    committed: number;
    pending: { firstSequence: number; lastSequence: number } | null;
    watermark: number | null;
    lastMergeAt: number | null;
  }[];
}
