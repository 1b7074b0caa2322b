/// <reference types="jest" />
// Test support (run by each aggregator's test); built with the app only because it sits in src/.
import fc from 'fast-check';

import type { AggregateInput, Aggregator } from '../aggregator';

/** One input of a contract run: a value at an event time. */
export interface Timed {
  value: AggregateInput;
  time: number;
}

export interface ContractSpec<Options extends object, State> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a module's aggregator keeps its own option type
  aggregator: Aggregator<any, State, unknown>;
  /** Options after the kind's schema (defaults filled in). */
  options: Options;
  value: fc.Arbitrary<AggregateInput>;
  /**
   * 'exact': every law holds with equal encodings. Otherwise `same` says when two states are equal within the kind's
   * stated bound (floating-point moments, heavy-hitter summaries).
   */
  laws: 'exact' | { same: (a: State, b: State, inputs: readonly Timed[]) => void };
  /** The kind's stated error bound against the exact answer over `inputs`. */
  withinBound?: (state: State, inputs: readonly Timed[]) => void;
  numRuns?: number;
}

/**
 * The shared contract every aggregator's test runs (inside its describe): merge laws, equality with one accumulation
 * of everything, encode/decode round trips and the encoding's version byte.
 */
export function aggregatorContract<Options extends object, State>(spec: ContractSpec<Options, State>): void {
  const { aggregator: agg, options } = spec;
  const timed = fc.record({ value: spec.value, time: fc.integer({ min: 0, max: 1e6 }) });
  const inputs = fc.array(timed, { maxLength: 60 });
  const numRuns = spec.numRuns ?? 150;
  const of = (xs: readonly Timed[]): State => {
    const b = agg.create(options);
    for (const x of xs) b.add(x.value, x.time);
    return b.state();
  };
  const same = (a: State, b: State, all: readonly Timed[]) => {
    if (spec.laws === 'exact') expect(agg.encode(a)).toBe(agg.encode(b));
    else spec.laws.same(a, b, all);
  };

  it(`${agg.kind}: the empty state is an identity of merge`, () => {
    fc.assert(
      fc.property(inputs, (xs) => {
        const a = of(xs);
        same(agg.merge(of([]), a), a, xs);
        same(agg.merge(a, of([])), a, xs);
      }),
      { numRuns },
    );
  });

  it(`${agg.kind}: merge is commutative and associative, and equals accumulating both inputs at once`, () => {
    fc.assert(
      fc.property(inputs, inputs, inputs, (xs, ys, zs) => {
        const [a, b, c] = [of(xs), of(ys), of(zs)];
        const all = [...xs, ...ys, ...zs];
        same(agg.merge(a, b), agg.merge(b, a), [...xs, ...ys]);
        same(agg.merge(agg.merge(a, b), c), agg.merge(a, agg.merge(b, c)), all);
        same(agg.merge(a, b), of([...xs, ...ys]), [...xs, ...ys]);
        if (spec.withinBound) {
          spec.withinBound(agg.merge(agg.merge(a, b), c), all);
          spec.withinBound(of(all), all);
        }
      }),
      { numRuns },
    );
  });

  it(`${agg.kind}: decode(encode(s)) is s, and the encoding is stable`, () => {
    fc.assert(
      fc.property(inputs, inputs, (xs, ys) => {
        const s = agg.merge(of(xs), of(ys));
        const text = agg.encode(s);
        const back = agg.decode(text);
        expect(agg.encode(back)).toBe(text);
        expect(agg.summarize(back)).toEqual(agg.summarize(s));
        // Results are JSON-safe.
        expect(JSON.parse(JSON.stringify(agg.summarize(s)))).toEqual(agg.summarize(s));
      }),
      { numRuns },
    );
  });

  it(`${agg.kind}: an encoding of another version is refused, naming the versions`, () => {
    const bytes = Buffer.from(agg.encode(of([])), 'base64');
    const version = bytes[0] as number;
    bytes[0] = version + 1;
    expect(() => agg.decode(bytes.toString('base64'))).toThrow(`expected version ${version}, found ${version + 1}`);
  });
}
