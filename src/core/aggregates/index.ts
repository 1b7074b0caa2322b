export type { Aggregate, Summary, TimedValue } from './aggregate';
export { Accumulator, aggregateOf, emptyAggregate, mergeAggregates, mergeAll, summarize } from './aggregate';
export { decodeSketch, DEFAULT_SKETCH_ACCURACY, encodeSketch, mergeEncodedSketches } from './sketch';
