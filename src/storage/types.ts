import type { Anomaly, Report, StreamResult } from '../core/analysis/types';
import type { StoredWindow } from '../core/state/storedWindow';

/** A page of results; pass `continuationToken` back to get the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export interface PageOptions {
  /** Page size, 1..1000; default {@link DEFAULT_PAGE_SIZE}. A page may hold fewer items and still have a token. */
  limit?: number;
  continuationToken?: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** What one bounded purge or delete call removed; `more` when it stopped at its limit with matching rows left. */
export interface PurgeResult {
  deleted: number;
  more: boolean;
}

export interface StoredPipeline {
  name: string;
  definition: unknown;
  /** ISO time of the last put. */
  updatedAt: string;
  /**
   * 1 for the first put, +1 for every put after it (docs/explanation/pipeline-versions.md). A row written before versions
   * existed reads as 1.
   */
  version: number;
  etag?: string;
}

/** One numbered definition of a pipeline as a PUT stored it; the current one is the highest. */
export interface StoredPipelineVersion {
  name: string;
  version: number;
  definition: unknown;
  /** ISO time of the put that made it. */
  updatedAt: string;
}

export interface PipelineStore {
  list(): Promise<StoredPipeline[]>;
  get(name: string): Promise<StoredPipeline | undefined>;
  /** Stores the definition as the next version; the previous definition stays readable through versions(). */
  put(name: string, definition: unknown): Promise<StoredPipeline>;
  /** Every version of a pipeline, ascending ([] for a name never put, or deleted). */
  versions(name: string): Promise<StoredPipelineVersion[]>;
  /** true when it existed. Its versions go with it, so a pipeline put again starts at version 1. */
  delete(name: string): Promise<boolean>;
}

/** A row of the Windows table: a closed window as the stream entity wrote it (the store keeps `data` as JSON). */
export type WindowRecord = StoredWindow;

export interface WindowQuery extends PageOptions {
  /** Windows whose start >= from (epoch ms). */
  from?: number;
  /** Windows whose start < to (epoch ms). */
  to?: number;
}

/** Windows of every stream of one pipeline from `fromStream` to `toStream` (both inclusive) in {@link compareStreamKeys} order. */
export interface WindowRangeQuery extends WindowQuery {
  pipeline: string;
  fromStream: string;
  toStream: string;
}

export interface KeyedWindowRecord extends WindowRecord {
  /** encodeStreamKey(pipeline, stream), as given to upsert. */
  key: string;
  stream: string;
}

export interface WindowStore {
  /** Idempotent: the same window start replaces the stored row. `key` is encodeStreamKey(pipeline, stream) (src/core/streams). */
  upsert(key: string, windows: WindowRecord[]): Promise<void>;
  /** Ascending by start. */
  query(key: string, options?: WindowQuery): Promise<Page<WindowRecord>>;
  /**
   * One query over a contiguous range of streams (on Tables: a PartitionKey range), ascending by stream in
   * compareStreamKeys order, then by start. Reading many streams this way costs pages of windows, not a query per stream.
   */
  queryRange(query: WindowRangeQuery): Promise<Page<KeyedWindowRecord>>;
  /**
   * Deletes windows (of every stream) last written before beforeMs, at most `limit` rows per call. By write time, not
   * by window start: a replayed history's windows start long ago but are new data, kept for the whole retention.
   */
  purge(beforeMs: number, limit: number): Promise<PurgeResult>;
  /** Deletes the windows of one stream (`key` as given to upsert), at most `limit` rows per call. */
  deleteStream(key: string, limit: number): Promise<PurgeResult>;
}

/**
 * One version of a closed window (table WindowVersions): version 1 as first closed, n+1 per revision
 * (docs/explanation/windows-and-lateness.md, "Window revisions"). The Windows table holds the latest version.
 */
export interface WindowVersionRecord {
  start: number;
  /** 1, 2, ... */
  version: number;
  data: WindowRecord['data'];
}

export interface WindowVersionStore {
  /** Idempotent: the same (key, start, version) replaces the stored row. `key` as WindowStore's. */
  put(key: string, records: WindowVersionRecord[]): Promise<void>;
  /** The versions of the window starting at `start`, ascending by version. */
  list(key: string, start: number, options?: PageOptions): Promise<Page<WindowVersionRecord>>;
  /**
   * The versions of every window starting in [from, to), ascending by start then version: one query. The history holds
   * rows only for revised windows (written from the first revision on), so this lists a range's revised windows.
   */
  listRange(key: string, from: number, to: number, options?: PageOptions): Promise<Page<WindowVersionRecord>>;
  /** Deletes versions (of every stream) last written before beforeMs, at most `limit` rows per call, as WindowStore. */
  purge(beforeMs: number, limit: number): Promise<PurgeResult>;
  /** Deletes the versions of one stream, at most `limit` rows per call. */
  deleteStream(key: string, limit: number): Promise<PurgeResult>;
}

export interface DeadLetterRecord {
  raw: string;
  reason: string;
  detail: string;
  partition: string;
  sequenceNumber: number;
  /** ISO time the broker enqueued the event; decides the day partition, stable across redelivery. */
  enqueuedTime: string;
  recordedAt: string;
  pipeline?: string;
  /** The version of `pipeline` that dead-lettered it (docs/explanation/pipeline-versions.md); absent before versions. */
  pipelineVersion?: number;
  /** The event's stream key, when the pipeline got far enough to read it (schema, expression and late errors). */
  stream?: string;
  /** Set on read when `raw` was longer than the store keeps (see DEAD_LETTER_RAW_LIMIT). */
  rawTruncated?: boolean;
  /** The latest replay of it (docs/how-to/dead-letters.md): when, which replay call, and the fix applied. */
  replay?: DeadLetterReplay;
}

export interface DeadLetterReplay {
  /** ISO time the replay sent it. */
  at: string;
  id: string;
  /** The JSON Patch applied before sending, if any. */
  fix?: unknown[];
}

export interface DeadLetterQuery extends PageOptions {
  /** ISO time; records whose enqueuedTime >= since. */
  since?: string;
  reason?: string;
}

export interface DeadLetterStore {
  /** Idempotent per (partition, sequenceNumber, pipeline). */
  add(records: DeadLetterRecord[]): Promise<void>;
  /**
   * Ascending by the UTC hour of enqueuedTime, then Event Hubs partition (in encoded-key order) and sequence number;
   * rows written before the hourly layout (one partition per UTC day) come first in their day.
   */
  query(options?: DeadLetterQuery): Promise<Page<DeadLetterRecord>>;
  /** Deletes dead letters whose enqueuedTime < before (ISO), at most `limit` rows per call. */
  purge(before: string, limit: number): Promise<PurgeResult>;
  /** Deletes the dead letters recorded with this pipeline and stream, at most `limit` rows per call (a scan of the table). */
  deleteStream(pipeline: string, stream: string, limit: number): Promise<PurgeResult>;
  /** Records a replay on each of these dead letters (as read back); rows gone meanwhile are skipped. */
  markReplayed(records: DeadLetterRecord[], replay: DeadLetterReplay): Promise<void>;
  /**
   * Deletes the event dead letters with these keys (never a `storage` record); rows already gone are skipped. For late
   * dead letters a later attempt aggregated (docs/explanation/effectively-once.md, ingest rule 7).
   */
  withdraw(keys: DeadLetterKey[]): Promise<void>;
}

/** An event dead letter's row identity: its Event Hubs partition, sequence number, pipeline and enqueued time (the hour). */
export interface DeadLetterKey {
  partition: string;
  sequenceNumber: number;
  pipeline?: string;
  /** ISO time; decides the row's UTC-hour partition. */
  enqueuedTime: string;
}

/** The partition's last batch that dead-lettered events late, with those dead letters' keys not yet judged again. */
export interface LateAttempt {
  partition: string;
  firstSequence: number;
  lastSequence: number;
  letters: DeadLetterKey[];
}

/** Late-attempt records (table LateAttempts): one row per Event Hubs partition (docs/explanation/effectively-once.md, rule 7). */
export interface LateAttemptStore {
  /** The partition's record, undefined when it has none. */
  get(partition: string): Promise<LateAttempt | undefined>;
  /** Replaces the partition's record. */
  put(attempt: LateAttempt): Promise<void>;
}

/** A dead letter's identity for the replay ledger: its original partition and sequence number, and its pipeline ('*' for none). */
export interface ReplayKey {
  partition: string;
  sequenceNumber: number;
  pipeline: string;
}

/** The first delivery of a replayed dead letter that counted (docs/how-to/dead-letters.md). */
export interface ReplayClaim extends ReplayKey {
  /** The replay message that claimed it: its Event Hubs partition and sequence number. */
  by: { partition: string; sequenceNumber: number };
  /** ISO time of the claim. */
  at: string;
}

/** The replay ledger (table ReplayLedger): one row per replayed dead letter that counted. */
export interface ReplayLedgerStore {
  /** Inserts each claim unless its key holds one; returns, per claim, the claim stored (its own when inserted now). */
  claim(claims: ReplayClaim[]): Promise<ReplayClaim[]>;
  /** The claims of these keys, undefined where there is none. */
  get(keys: ReplayKey[]): Promise<(ReplayClaim | undefined)[]>;
  /** Deletes each claim that is still held by its own `by` (a delivery that was dead-lettered again gives it up). */
  release(claims: ReplayClaim[]): Promise<void>;
}

export interface StreamCatalogEntry {
  pipeline: string;
  stream: string;
  /** ISO time of the newest event seen. */
  lastSeen: string;
  /** Total events of the stream as known by the caller (a total, not an increment: the last touch wins). */
  events: number;
  eventsPerSec: number;
}

export interface StreamCatalogQuery extends PageOptions {
  pipeline?: string;
  /** Stream-name prefix. */
  prefix?: string;
}

export interface StreamCatalog {
  /** Upsert (merge): each entry's fields replace the stored ones. */
  touch(entries: StreamCatalogEntry[]): Promise<void>;
  /** Ascending by pipeline then stream. */
  list(options?: StreamCatalogQuery): Promise<Page<StreamCatalogEntry>>;
  /** Removes a stream's row; true when it existed. */
  remove(pipeline: string, stream: string): Promise<boolean>;
}

export interface IngestMetricsInput {
  /** ISO time of the batch. */
  at: string;
  partition: string;
  eventsIn: number;
  aggregated: number;
  filtered: number;
  /** Per pipeline, of `filtered`: events its match or filter found lacking a field it reads (only non-zero counts). */
  filteredMissing?: Record<string, number>;
  deadLettered: number;
  entityOperations: number;
  processingMs: number;
  /**
   * Deliveries of invocations that failed and will be retried by the trigger (docs/explanation/effectively-once.md):
   * never in eventsIn, so eventsIn = aggregated + filtered + deadLettered holds; absent = 0.
   */
  retried?: number;
  /** Of deadLettered: events dead-lettered `poison` by the bisection of a batch that kept failing; absent = 0. */
  poison?: number;
  /** Replayed dead letters that arrived (docs/how-to/dead-letters.md); absent = 0. */
  replayed?: number;
  /** Of `replayed`: dropped because another delivery of the same dead letter counted already (not in eventsIn); absent = 0. */
  replayDuplicates?: number;
  /**
   * Redelivered partials the stream entities recognised and did not count again (merge outcomes 'ignored' and
   * 'replaced'); written by the entities, in rows of partition ENTITY_METRICS_PARTITION, not a batch. Absent = 0.
   */
  duplicatesSuppressed?: number;
  /**
   * Window revisions the stream entities wrote (late events within `corrections` making a closed window's next
   * version); written by the entities, in rows of partition ENTITY_METRICS_PARTITION, with breakdown keys
   * `pipeline:<name>:revisions`. Absent = 0.
   */
  revisions?: number;
  /**
   * Late dead letters of earlier attempts this batch withdrew (it aggregated those events; effectively-once.md, ingest
   * rule 7): counted in an earlier `deadLettered`, so readers subtract it. Absent = 0.
   */
  lateWithdrawn?: number;
  /** Opaque (base64) latency sketch of the batch; the store never decodes it. */
  latencySketch?: string;
  /**
   * Outcome counts by pipeline and by dead-letter reason, keys `pipeline:<name>:<aggregated|filtered|deadLettered>` and
   * `reason:<reason>` (only non-zero counts); the store sums them per key. For the per-pipeline and per-reason series.
   */
  breakdown?: Record<string, number>;
}

/** One row per (minute, partition): the sum of the batches recorded in that minute. */
export interface IngestMetricsRow extends Omit<
  IngestMetricsInput,
  | 'at'
  | 'latencySketch'
  | 'filteredMissing'
  | 'retried'
  | 'breakdown'
  | 'poison'
  | 'replayed'
  | 'replayDuplicates'
  | 'duplicatesSuppressed'
  | 'revisions'
  | 'lateWithdrawn'
> {
  /** Per pipeline: the sum of the batches' `filteredMissing` ({} when none). */
  filteredMissing: Record<string, number>;
  /** The sum of the batches' `breakdown` per key ({} when none, and on rows written before it existed). */
  breakdown: Record<string, number>;
  /** ISO start of the minute. */
  minute: string;
  /** Sum of the inputs' `retried` (rows written before it existed read 0). */
  retried: number;
  /** Sums of the inputs' `poison`, `replayed` and `replayDuplicates` (rows written before them read 0). */
  poison: number;
  replayed: number;
  replayDuplicates: number;
  duplicatesSuppressed: number;
  /** Sum of the inputs' `revisions` (absent on rows read back from before it). */
  revisions?: number;
  /** Sum of the inputs' `lateWithdrawn` (absent on rows read back from before it). */
  lateWithdrawn?: number;
  batches: number;
  /**
   * The batches' latency sketches: merged into one when the store was given a `mergeLatencySketches` function,
   * otherwise one per batch. Bounded by the entity size: when full, the oldest are dropped and counted below.
   */
  latencySketches: string[];
  sketchesDropped: number;
}

/** Merges two opaque latency sketches (the core's helper); injected so storage never depends on the encoding. */
export type MergeLatencySketches = (a: string, b: string) => string;

export interface IngestMetricsStore {
  record(row: IngestMetricsInput): Promise<void>;
  /** Folds several batches into their rows: one read-modify-write per (minute, partition) row, not one per batch. */
  recordAll(rows: readonly IngestMetricsInput[]): Promise<void>;
  /** Rows whose minute ends after sinceMs (epoch ms), ascending by minute then partition. */
  recent(sinceMs: number): Promise<IngestMetricsRow[]>;
  /** Deletes rows whose minute starts before beforeMs' minute, at most `limit` rows per call. */
  purge(beforeMs: number, limit: number): Promise<PurgeResult>;
}

/**
 * One row of the idle index (table StreamActivity) per stream entity with open windows and an idle timeout, saying when
 * the idle flush may close them. Written by the stream entity (which alone knows its processing-time lastSeen and live
 * windows), read by the flushIdleStreams timer with one range query, so the timer touches only streams that are due.
 * Kept apart from the Streams catalog, whose rows the API serves as they are. ("Activity" is the stream's last
 * activity, not a Durable activity function; the docs call the table the idle index.)
 */
export interface StreamActivity {
  pipeline: string;
  stream: string;
  /** Epoch ms of the entity's last merge (processing time). */
  lastActivity: number;
  /** Live windows (committed and pending) when the row was written. */
  openWindows: number;
  /** The pipeline's idleTimeout at the stream's last merge; 0 = off. */
  idleTimeoutMs: number;
  /**
   * When the timer should signal `flush`: the earlier of lastActivity + idleTimeoutMs (while windows are open and the
   * timeout is on) and, while the stream's catalog row misses events, its last write + CATALOG_REFRESH_MS; null when
   * neither (never due). May be early (the entity then changes nothing and rewrites the row), never late.
   */
  flushDue: number | null;
}

/** The idle index: one row per (pipeline, stream), the last record wins. */
export interface StreamActivityStore {
  record(row: StreamActivity): Promise<void>;
  /** Rows whose flushDue <= now, at most `limit` (the rest come on the next run); in no particular order. */
  due(now: number, limit: number): Promise<StreamActivity[]>;
  /** Deletes a stream's row (the stream was erased); no error when there is none. */
  remove(pipeline: string, stream: string): Promise<void>;
}

/** Everything of a report but the per-stream results, which are stored (and written) one row per stream. */
export type ReportHeader = Omit<Report, 'streams'>;

/**
 * Analysis reports. The chunk activities write their streams' results as they finish and the
 * final activity writes the header, so no single write (or orchestration history) holds a whole
 * report of thousands of streams. Writes are idempotent upserts (activities may re-run).
 */
/** The last report finalized for a pipeline, and the one it followed (see ReportStore.latest). */
export interface LatestReport {
  reportId: string;
  previousReportId?: string;
}

export interface ReportStore {
  putStreams(reportId: string, results: StreamResult[]): Promise<void>;
  /**
   * The pipeline's last finalized report, undefined when none: the next run lists the revisions of the windows that
   * report read (docs/explanation/analysis.md, "Revisions since the last report"). Set by the run's last activity.
   */
  latest(pipeline: string): Promise<LatestReport | undefined>;
  setLatest(pipeline: string, latest: LatestReport): Promise<void>;
  putHeader(reportId: string, header: ReportHeader): Promise<void>;
  /** The report with its streams ranked as buildReport ranks them; undefined until the header is written. */
  get(reportId: string): Promise<Report | undefined>;
  /**
   * Deletes the reports generated before `before` (ISO) - their stream rows first, the header last, so a report cut
   * by the limit is found again by the next call - at most `limit` rows per call.
   */
  purge(before: string, limit: number): Promise<PurgeResult>;
}

/** An anomaly of one stream that reached the alert severity. Identity: (pipeline, stream, windowStart, kind). */
export interface AlertRecord extends Anomaly {
  pipeline: string;
  stream: string;
  /** The analysis run that first raised it. */
  reportId: string;
  /** ISO time it was first raised. */
  raisedAt: string;
}

export interface AlertQuery extends PageOptions {
  /** ISO time; alerts whose windowStart >= since. */
  since?: string;
  pipeline?: string;
  stream?: string;
}

export interface AlertStore {
  /**
   * Inserts each alert unless one with the same identity exists, and returns exactly those
   * that were inserted now: the caller publishes only these, so each alert goes out once
   * however often the same period is analysed.
   */
  insertNew(alerts: AlertRecord[]): Promise<AlertRecord[]>;
  /** Ascending by windowStart. */
  query(options?: AlertQuery): Promise<Page<AlertRecord>>;
  /** Deletes alerts raised (stored) before `before` (ISO), at most `limit` rows per call; by write time, as windows. */
  purge(before: string, limit: number): Promise<PurgeResult>;
}

/**
 * One batch buffered by ingest when it coalesces (ENTITY_FLUSH_INTERVAL > 0; docs/explanation/effectively-once.md):
 * the batch's partials and the pipeline configs they need, as JSON text, until the flusher delivers them.
 */
export interface BufferedBatch {
  partition: string;
  firstSequence: number;
  lastSequence: number;
  /** Epoch ms of the write (the timer flushes partitions whose oldest row is older than the interval). */
  bufferedAt: number;
  payload: string;
}

/** A partition's flush state: what reached the entities, and the range a flusher is delivering. */
export interface BufferMark {
  /** The last sequence number whose partials were delivered; -1 before the first flush. */
  flushedThrough: number;
  claim: { firstSequence: number; lastSequence: number } | null;
  /** Optimistic concurrency: null when the partition has no mark row yet. */
  etag: string | null;
}

/** The IngestBuffer table: PartitionKey = the Event Hubs partition, one row per batch (or its parts) and one mark. */
export interface IngestBufferStore {
  /** Writes (replaces) the batch's row(s): a redelivery of the same firstSequence overwrites. */
  put(batch: BufferedBatch): Promise<void>;
  /** The partition's complete batches (every part present), ascending by firstSequence. */
  list(partition: string): Promise<BufferedBatch[]>;
  mark(partition: string): Promise<BufferMark>;
  /** Writes the mark if its ETag is still `etag` (null: only if none exists); the new ETag, or null when another writer won. */
  setMark(partition: string, value: Omit<BufferMark, 'etag'>, etag: string | null): Promise<string | null>;
  /** Deletes these batches' rows (absent ones are fine). */
  remove(partition: string, firstSequences: readonly number[]): Promise<void>;
  /** Partitions holding batches, with the oldest batch's bufferedAt. */
  partitions(): Promise<Array<{ partition: string; oldestBufferedAt: number }>>;
}

/** Every store of the app, one per table (TABLE_NAMES); each has a memory/ and a table/ implementation. */
export interface Stores {
  pipelines: PipelineStore;
  windows: WindowStore;
  /** Every version of each closed window (the Windows table holds the latest). */
  windowVersions: WindowVersionStore;
  deadLetters: DeadLetterStore;
  streams: StreamCatalog;
  ingestMetrics: IngestMetricsStore;
  /** The idle index. */
  activity: StreamActivityStore;
  reports: ReportStore;
  alerts: AlertStore;
  /** Coalescing ingest's buffer (empty while ENTITY_FLUSH_INTERVAL is PT0S). */
  ingestBuffer: IngestBufferStore;
  replayLedger: ReplayLedgerStore;
  lateAttempts: LateAttemptStore;
}
