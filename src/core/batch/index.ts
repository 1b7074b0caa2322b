export { parseEnqueuedTime, parseEventTime } from './eventTime';
export { processBatch } from './processBatch';
export type { BatchInput, BatchMetrics, BatchResult, DeadLetter, DeadLetterReason, OutcomeCounts, PartialWindow, StreamPartial } from './types';
export { DEAD_LETTER_REASONS } from './types';
