/** Shapes shared by the durable runtime, its stores and its HTTP API. */

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew' | 'Suspended';

export const terminalStatuses: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

/** A history event as the durable-functions SDK reads it (PascalCase, numeric EventType). */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** A retried activity or sub-orchestration, keyed in EngineState.retries by the task id of its current attempt or timer. */
export interface RetryEntry {
  kind: 'activity' | 'subOrchestration';
  name: string;
  /** JSON text. */
  input: string;
  policy: RetryPolicy;
  attempt: number;
  firstAttemptAt: number;
  /** Sub-orchestration instance id (reused by every attempt). */
  childInstanceId?: string;
  /** Set once the retry timer of a failed attempt is pending; the timer's firing then reschedules or gives up. */
  waitingOnTimer?: { timerId: number; exhausted: boolean };
}

/** Replay bookkeeping the SDK does not return: how task ids were handed out so far. */
export interface EngineState {
  /** Next sequence number the SDK will hand out. */
  nextSeq: number;
  /** Leaf actions already scheduled (the SDK re-sends all actions on every replay). */
  actionCount: number;
  retries: Record<string, RetryEntry>;
}

export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskId: number;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON text or null. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: ParentRef;
  history: HistoryEvent[];
  engine: EngineState;
}

/** An instance without its history: what list queries return (status views of many instances never show history). */
export type InstanceSummary = Omit<InstanceRecord, 'history'>;

export interface EntityRecord {
  /** Scheduler id: `@name@key` with the name lowercased. */
  entityId: string;
  name: string;
  key: string;
  /** JSON text. */
  state: string | null;
  lastModified: string;
}

export type OrchestrationControl = 'terminate' | 'suspend' | 'resume';

export interface OrchestrationMessage {
  kind: 'orchestration';
  instanceId: string;
  /** Set for messages that belong to one execution (task results, timers); external events have none. */
  executionId?: string;
  event?: Omit<HistoryEvent, 'EventId' | 'IsPlayed' | 'Timestamp'> & { EventId?: number };
  control?: OrchestrationControl;
  reason?: string;
}

export interface ActivityMessage {
  kind: 'activity';
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  /** JSON text. */
  input: string;
}

export interface EntityOperationMessage {
  kind: 'entity';
  entityId: string;
  operation: string;
  /** JSON text or null. */
  input: string | null;
  isSignal: boolean;
  requestId: string;
  /** Set for callEntity from an orchestration: where the response goes. */
  parentInstanceId?: string;
}

export type MessageBody = OrchestrationMessage | ActivityMessage | EntityOperationMessage;

export interface StoredMessage {
  id: string;
  /** 'orch:<instanceId>', 'ent:<entityId>' or 'act:<message id>': one target is processed at a time. */
  target: string;
  /** Epoch ms before which the message is not delivered (durable timers, retry delays). */
  visibleAt: number;
  body: MessageBody;
}

export interface InstanceQuery {
  createdTimeFrom?: string;
  createdTimeTo?: string;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
}

/** Everything one unit of work changes, applied atomically. */
export interface Commit {
  deleteMessages?: string[];
  addMessages?: StoredMessage[];
  /**
   * Within one execution (same executionId) a put's history must extend the stored one: events already
   * stored are never changed, so a store may write only the new ones. A new execution replaces the history.
   */
  putInstances?: InstanceRecord[];
  deleteInstances?: string[];
  putEntities?: EntityRecord[];
  deleteEntities?: string[];
}

export interface DurableStore {
  readonly kind: 'memory' | 'sqlite';
  /** Every persisted message in insertion order: the runtime resumes from these after a restart. */
  loadMessages(): StoredMessage[];
  getInstance(instanceId: string): InstanceRecord | undefined;
  /** Matching instances (without history) ordered by creation time then id. */
  queryInstances(query: InstanceQuery): InstanceSummary[];
  getEntity(entityId: string): EntityRecord | undefined;
  commit(commit: Commit): void;
  close(): void;
}
