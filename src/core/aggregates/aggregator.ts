import type { z } from 'zod';

/** What an aggregate expression yields for one event; null and missing values are skipped before `add`. */
export type AggregateInput = string | number;

/**
 * Mutable accumulation for the hot path: one per (window, aggregate) in a batch. `state()` returns the immutable State
 * (the builder is not used after it).
 */
export interface AggregateBuilder<State> {
  add(value: AggregateInput, time: number): void;
  state(): State;
}

/**
 * One kind of aggregate (docs/how-to/add-an-aggregate.md). Everything but `create` works on immutable States, so a
 * state can be shared between the entity's committed windows and a view. Laws (checked by testing/contract.ts):
 * merge is associative and commutative with `create(o).state()` as identity, merge(of(xs), of(ys)) equals of(xs ++ ys)
 * (exactly, or within the kind's stated bound), and decode(encode(s)) equals s.
 */
export interface Aggregator<Options extends object = object, State = unknown, Result = unknown> {
  /** The `kind` a pipeline names; registered once (registry.ts). */
  readonly kind: string;
  /** One sentence for the pipeline reference: what it computes and its error bound. */
  readonly description: string;
  /**
   * What `expr` must yield: 'number' (a string dead-letters the event as `schema`) or 'string' (numbers are taken
   * as their decimal text, so 1 and "1" are one value).
   */
  readonly input: 'number' | 'string';
  /** The kind's own options (besides `kind` and `expr`), with defaults; a strict object. */
  readonly options: z.ZodType<Options>;
  create(options: Options): AggregateBuilder<State>;
  /** Pure: neither input is modified. */
  merge(a: State, b: State): State;
  /** JSON-safe result, with its error bound where the kind estimates. */
  summarize(state: State): Result;
  /** Compact, versioned (the first byte), base64. */
  encode(state: State): string;
  /** Throws on an encoding this code cannot read (naming the expected and found version). */
  decode(encoded: string): State;
}

/** An aggregate as partials, entity state and closed windows hold it: its kind and its encoding. */
export interface EncodedAggregate {
  kind: string;
  data: string;
}

/** Helper so a module's literal keeps its precise types while being checked against the interface. */
export function defineAggregator<Options extends object, State, Result>(
  a: Aggregator<Options, State, Result>,
): Aggregator<Options, State, Result> {
  return a;
}
