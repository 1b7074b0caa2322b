/** One event as stored in a partition and handed to a trigger, whatever the source (local log or Azure). */
export interface HubEvent {
  body: Buffer;
  sequenceNumber: number;
  /** Position of the event in its partition, as a decimal string (Event Hubs offsets are strings). */
  offset: string;
  enqueuedTime: Date;
  partitionKey: string | null;
  properties: Record<string, unknown>;
}

/** An event a producer wants appended; the hub assigns sequence number, offset and time. */
export interface NewEvent {
  body: Buffer;
  partitionKey?: string | null;
  /** Explicit partition; wins over the partition key. */
  partitionId?: string;
  properties?: Record<string, unknown>;
}

export interface PartitionInfo {
  partitionId: string;
  /** First sequence number still in the log (0: the log is never trimmed). */
  beginningSequenceNumber: number;
  /** -1 when the partition is empty. */
  lastSequenceNumber: number;
  lastOffset: string | null;
  lastEnqueuedTimeUtc: string | null;
}

export interface Checkpoint {
  /** Sequence number of the last event processed; consumption resumes at the next one. */
  sequenceNumber: number;
  offset: string;
  updatedAt: string;
}

export interface EventToAppend {
  body: Buffer;
  partitionKey: string | null;
  properties: Record<string, unknown>;
}

/** One partition's append-only log. Appends are synchronous (ordered); `flush` makes them durable. */
export interface PartitionLog {
  readonly partitionId: string;
  /** Sequence number the next appended event gets (= number of events ever appended). */
  readonly nextSequenceNumber: number;
  append(events: readonly EventToAppend[], now: Date): HubEvent[];
  /** Resolves once appended events are as durable as the fsync policy promises. */
  flush(): Promise<void>;
  /** Up to `max` events starting at sequence number `from`. */
  read(from: number, max: number): HubEvent[];
  /** First sequence number enqueued at or after `time` (nextSequenceNumber when none). */
  sequenceNumberAt(time: Date): number;
  info(): PartitionInfo;
  close(): void;
}
