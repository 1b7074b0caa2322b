/**
 * Streamfold's pure streaming core: no Azure, no I/O, no clock. See README.md beside this file for the event format,
 * pipeline definitions and the effectively-once and lateness rules.
 */
export * from './aggregates';
export * from './batch';
export { type Duration, formatDuration, parseDuration } from './duration';
export * from './expressions';
export * from './pipelines';
export * from './state';
export * from './windows';
