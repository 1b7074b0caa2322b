export { migrateStreamState, type MigrationResult, STREAM_STATE_VERSION } from './migrate';
export { isPackedWindows, type PackedWindows, packWindows } from './packedWindows';
export { type StoredStreamState, toStoredState, unpackPendingWindows } from './storedState';
export { closedWindowFromStored, type StoredClosedWindow, toStoredWindow, withSummaries } from './storedWindow';
export {
  applyStreamChange,
  DEFAULT_IDLE_TIMEOUT_MS,
  flushDueOf,
  type StreamChange,
  type StreamChangeKind,
  type StreamChangePlan,
} from './streamPolicy';
export {
  catalogFigures,
  commitThrough,
  commitThroughInPlace,
  DEFAULT_PARTITION_IDLE_MS,
  flushIdle,
  hasLiveWindow,
  initialStreamState,
  liveWindowCount,
  mergePartial,
  mergePartialInPlace,
  partitionIdleMs,
  streamView,
} from './streamState';
export type {
  ClosedWindow,
  CommitOutcome,
  CommitResult,
  FlushOutcome,
  FlushResult,
  MeasureResult,
  MergeOutcome,
  MergeResult,
  PartitionProgress,
  RateSample,
  RevisionDelta,
  SequenceRange,
  StreamState,
  StreamView,
  WindowRevision,
  WindowView,
} from './types';
export { reviseClosedWindow, revisionWritten } from './windowRevisions';
export { MAX_HELD_WINDOWS, planWindowWrite, type WindowWritePlanInput } from './windowWriteDelay';
export {
  CATALOG_LAG_REFRESHES,
  catalogDue,
  type CatalogPlanInput,
  type IndexPlan,
  type IndexPlanInput,
  planCatalogWrite,
  planIndexWrite,
  type WriteOp,
} from './writePlan';
