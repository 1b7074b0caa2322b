import fc from 'fast-check';

import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { processBatch } from './processBatch';
import { DEAD_LETTER_REASONS } from './types';

/**
 * The hot path's direct evaluators (numericFastPath's `fast`) must change no outcome: the same batch through the same
 * pipeline with them removed (every expression through evaluate, as before they existed) gives the same result,
 * dead-letter reasons and details included.
 */
function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

/** A copy of the pipeline whose expressions have no direct evaluator. */
function withoutFast(p: CompiledPipeline): CompiledPipeline {
  const strip = <T extends object>(e: T): T => {
    const { fast: _fast, ...rest } = e as T & { fast?: unknown };
    return rest as T;
  };
  return {
    ...p,
    ...(p.filter === undefined ? {} : { filter: strip(p.filter) }),
    measures: p.measures.map(([name, e]) => [name, strip(e)] as const) as CompiledPipeline['measures'],
  };
}

const T0 = Date.parse('2026-11-26T10:00:00Z');
const flights = pipeline({
  name: 'flights',
  key: 'origin',
  time: 'date',
  filter: 'distance > 100',
  measures: { delaySeconds: 'delay * 60', km: '1.609 * distance' },
  window: { type: 'tumbling', size: 'PT1H' },
});

const run = (p: CompiledPipeline, bodies: unknown[]) => {
  const r = processBatch({
    bodies,
    partitionId: '0',
    sequenceNumbers: bodies.map((_, i) => i),
    enqueuedTimes: bodies.map(() => T0 + 60_000),
    pipelines: [p],
    now: T0 + 60_000,
  });
  return { ...r, metrics: { ...r.metrics, processingMs: 0 } };
};

describe('processBatch direct evaluators', () => {
  it('are used for a filter and computed measures of the simple shape', () => {
    expect(flights.filter?.fast).toBeDefined();
    expect(flights.measures.map(([, e]) => e.fast !== undefined)).toEqual([true, true]);
  });

  it('give the same dead letters and counts as evaluate for missing fields and wrong types', () => {
    const bodies = [
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: 3, distance: 250 },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: 3, distance: 50 },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: 3 },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: 3, distance: null },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: 3, distance: 'far' },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: '3', distance: 250 },
      { origin: 'LAS', date: new Date(T0).toISOString(), distance: 250 },
      { origin: 'LAS', date: new Date(T0).toISOString(), delay: true, distance: 250 },
    ];
    const fast = run(flights, bodies);
    expect(fast).toEqual(run(withoutFast(flights), bodies));
    // Aggregated: 0, and 6 (its missing delay skipped, km kept); filtered: 1 (50 km), 2 (missing distance).
    expect(fast.metrics).toMatchObject({ eventsIn: 8, aggregated: 2, filtered: 2, filteredMissing: 1 });
    expect(fast.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      [3, 'expression', 'filter "distance > 100": no such overload: dyn<null> > int (at position 0)'],
      [4, 'expression', 'filter "distance > 100": no such overload: dyn<string> > int (at position 0)'],
      [5, 'expression', 'measure delaySeconds "delay * 60": no such overload: dyn<string> * int (at position 0)'],
      [7, 'expression', 'measure delaySeconds "delay * 60": no such overload: dyn<bool> * int (at position 0)'],
    ]);
  });

  it('agree with evaluate on any batch of flight-like events (property)', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.oneof(fc.integer({ min: -10, max: 3000 }), fc.double({ noNaN: true })) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(null, '7', true, [1], { x: 1 }) },
    );
    const event = fc.record(
      { origin: fc.constantFrom('LAS', 'PHL'), delay: value, distance: value },
      { requiredKeys: ['origin'] },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const bodies = events.map((e) => ({ ...e, date: new Date(T0).toISOString() }));
        expect(run(flights, bodies)).toEqual(run(withoutFast(flights), bodies));
      }),
      { numRuns: 300 },
    );
  });

  it('counts every dead-letter reason, in DEAD_LETTER_REASONS order', () => {
    const r = run(flights, []);
    expect(Object.keys(r.metrics.byReason)).toEqual(DEAD_LETTER_REASONS);
    expect(Object.keys(r.metrics.byPipeline['flights']?.byReason ?? {})).toEqual(DEAD_LETTER_REASONS);
  });
});
