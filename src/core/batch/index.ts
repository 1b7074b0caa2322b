export { combinePartials } from './combinePartials';
export { parseEnqueuedTime, parseEventTime } from './eventTime';
export { processBatch } from './processBatch';
export type {
  BatchInput,
  BatchMetrics,
  BatchResult,
  DeadLetter,
  DeadLetterReason,
  OutcomeCounts,
  PartialWindow,
  PartitionProgressReport,
  StreamPartial,
} from './types';
export { DEAD_LETTER_REASONS, DEFAULT_MAX_FUTURE_SKEW_MS } from './types';
