import type { Aggregator, EncodedAggregate } from './aggregator';
import { distinct } from './kinds/distinct';
import { moments } from './kinds/moments';
import { quantiles } from './kinds/quantiles';
import { topK } from './kinds/topK';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own option and state types
export type AnyAggregator = Aggregator<any, any, unknown>;

/**
 * The aggregators a pipeline's `aggregates` may name, by kind. Adding one: its module under kinds/, its test (which
 * runs testing/contract.ts) and one line here (docs/how-to/add-an-aggregate.md).
 */
const registry = new Map<string, AnyAggregator>();

export function registerAggregator(a: AnyAggregator): void {
  const known = registry.get(a.kind);
  if (known !== undefined && known !== a)
    throw new Error(`aggregator kind ${JSON.stringify(a.kind)} is registered already`);
  registry.set(a.kind, a);
}

registerAggregator(moments);
registerAggregator(quantiles);
registerAggregator(distinct);
registerAggregator(topK);

export function aggregatorOf(kind: string): AnyAggregator | undefined {
  return registry.get(kind);
}

export function aggregatorKinds(): string[] {
  return [...registry.keys()];
}

/** Merge of two stored aggregates of one kind (an unknown kind or a kind mismatch throws, naming both). */
export function mergeEncoded(a: EncodedAggregate, b: EncodedAggregate): EncodedAggregate {
  if (a.kind !== b.kind)
    throw new Error(`cannot merge aggregate kind ${JSON.stringify(a.kind)} with ${JSON.stringify(b.kind)}`);
  const agg = known(a.kind);
  return { kind: a.kind, data: agg.encode(agg.merge(agg.decode(a.data), agg.decode(b.data))) };
}

/** The result of a stored aggregate with its kind: `{kind, ...summary}` (e.g. {kind, estimate, standardError}). */
export function summarizeEncoded(e: EncodedAggregate): AggregateResult {
  const agg = known(e.kind);
  return { kind: e.kind, ...(agg.summarize(agg.decode(e.data)) as object) };
}

export type AggregateResult = { kind: string } & Record<string, unknown>;

function known(kind: string): AnyAggregator {
  const agg = registry.get(kind);
  if (agg === undefined)
    throw new Error(`unknown aggregate kind ${JSON.stringify(kind)}: expected one of ${aggregatorKinds().join(', ')}`);
  return agg;
}
