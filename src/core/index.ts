/**
 * Streamfold's pure streaming core: no Azure, no I/O, no clock. The event format and pipeline definitions are in
 * docs/reference/events-and-pipelines.md; README.md beside this file has the counting, lateness and effectively-once rules.
 */
export * from './aggregates';
export * from './batch';
export { type Duration, formatDuration, parseDuration } from './duration';
export * from './events';
export * from './expressions';
export * from './pipelines';
export * from './state';
export * from './streams';
export * from './windows';
