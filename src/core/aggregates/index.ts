export type { Aggregate, Summary, TimedValue } from './aggregate';
export {
  Accumulator,
  aggregateOf,
  emptyAggregate,
  mergeAggregates,
  mergeAggregatesAll,
  mergeAll,
  summarize,
} from './aggregate';
export type { AggregateBuilder, AggregateInput, Aggregator, EncodedAggregate } from './aggregator';
export { defineAggregator } from './aggregator';
export {
  type AggregateResult,
  aggregatorKinds,
  aggregatorOf,
  type AnyAggregator,
  mergeEncoded,
  registerAggregator,
  summarizeEncoded,
} from './registry';
export { decodeSketch, DEFAULT_SKETCH_ACCURACY, encodeSketch, mergeEncodedSketches } from './sketch';
