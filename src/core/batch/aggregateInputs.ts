import { type AggregateBuilder, type AggregateInput, type EncodedAggregate, mergeEncoded } from '../aggregates';
import { describeValue } from '../expressions';
import type { CompiledAggregate } from '../pipelines';
import type { DeadLetterReason, PartialWindow } from './types';

/** processBatch's side of a pipeline's `aggregates` (docs/explanation/aggregates.md). */

export function addAggregate(
  holder: { aggs: (AggregateBuilder<unknown> | undefined)[] | undefined },
  specs: readonly CompiledAggregate[],
  a: number,
  value: AggregateInput,
  time: number,
): void {
  const builders = (holder.aggs ??= new Array<AggregateBuilder<unknown> | undefined>(specs.length));
  let b = builders[a];
  if (b === undefined) {
    const spec = specs[a] as CompiledAggregate;
    b = spec.aggregator.create(spec.options);
    builders[a] = b;
  }
  b.add(value, time);
}

export function freezeAggregates(
  builders: (AggregateBuilder<unknown> | undefined)[] | undefined,
  specs: readonly CompiledAggregate[],
): Record<string, EncodedAggregate> {
  const out: Record<string, EncodedAggregate> = {};
  for (let a = 0; a < specs.length; a++) {
    const b = builders?.[a];
    const spec = specs[a] as CompiledAggregate;
    if (b !== undefined) out[spec.name] = { kind: spec.kind, data: spec.aggregator.encode(b.state()) };
  }
  return out;
}

/** Stream totals of the batch's aggregates when each event is in one window (tumbling, session): the windows' merge. */
export function aggregateTotalsOf(windows: readonly PartialWindow[]): Record<string, EncodedAggregate> {
  // Most streams fill one window per batch: its aggregates are the totals (the loop below would copy them as well).
  if (windows.length === 1) return { ...(windows[0] as PartialWindow).aggregates };
  const out: Record<string, EncodedAggregate> = {};
  for (const w of windows)
    for (const [name, e] of Object.entries(w.aggregates ?? {}))
      out[name] = out[name] === undefined ? e : mergeEncoded(out[name], e);
  return out;
}

/**
 * One event's value of an aggregate: a string or finite number, null when missing (skipped, as a bare measure is), or
 * the reason the event is dead-lettered.
 */
export function aggregateValue(
  spec: CompiledAggregate,
  event: Record<string, unknown>,
): AggregateInput | null | { reason: DeadLetterReason; detail: string } {
  const expression = spec.expression;
  let value: unknown;
  if (expression.read !== undefined) value = expression.read(event);
  else {
    const r = expression.evaluate(event);
    if (!r.ok && r.error.missingField) return null;
    if (!r.ok)
      return {
        reason: 'expression',
        detail: `aggregate ${spec.name} ${JSON.stringify(expression.text)}: ${r.error.message}`,
      };
    value = r.value;
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !spec.numeric) return value;
  const expected = spec.numeric ? 'a finite number' : 'a string or finite number';
  return {
    reason: 'schema',
    detail: `aggregate ${spec.name} ${JSON.stringify(expression.text)} (${spec.kind}): expected ${expected}, found ${describeValue(value)}`,
  };
}
