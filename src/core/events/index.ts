export type { EventProblem, EventRecord } from './normalizeEvent';
export { isEventProblem, normalizeEvent } from './normalizeEvent';
