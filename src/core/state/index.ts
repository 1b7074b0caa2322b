export { catalogFigures, commitThrough, flushIdle, initialStreamState, liveWindowCount, mergePartial, streamView } from './streamState';
export type { ClosedWindow, CommitOutcome, CommitResult, FlushOutcome, FlushResult, MeasureResult, MergeOutcome, MergeResult, PartitionProgress, RateSample, SequenceRange, StreamState, StreamView, WindowView } from './types';
