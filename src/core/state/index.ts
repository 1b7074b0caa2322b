export { initialStreamState, mergePartial, streamView } from './streamState';
export type { ClosedWindow, MeasureResult, MergeOutcome, MergeResult, PartitionProgress, RateSample, StreamState, StreamView, WindowView } from './types';
