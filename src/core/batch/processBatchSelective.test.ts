import fc from 'fast-check';

import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { processBatch } from './processBatch';
import { fieldSelection, parseSelected } from './selectiveParse';

/**
 * The selective parse (selectiveParse.ts) changes no outcome: a batch handed over as Buffers (selective where it can)
 * gives the same result as the same bytes as plain Uint8Arrays (never selective: always decoded and parsed whole),
 * dead letters and their details included, for pipelines reading bare fields, CEL over nested fields, and aggregates.
 */
function pipeline(definition: unknown, name: string): CompiledPipeline {
  const r = compilePipeline(definition, name);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const T0 = Date.parse('2026-11-26T10:00:00Z');
const pipelines = [
  pipeline({ window: { type: 'tumbling', size: 'PT1M' } }, 'default'),
  pipeline(
    {
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delaySeconds: 'delay * 60', km: 'distance * 1.609' },
      aggregates: { tails: { kind: 'distinct', expr: 'tail' }, top: { kind: 'topK', expr: 'destination', k: 3 } },
      window: { type: 'tumbling', size: 'PT1H' },
    },
    'flights',
  ),
  pipeline(
    {
      key: 'origin',
      time: 'meta.at',
      match: 'has(meta.kind) && meta.kind == "x"',
      measures: { n: 'size(tags) + delay' },
      window: { type: 'hopping', size: 'PT10M', hop: 'PT5M' },
    },
    'nested',
  ),
];

const run = (bodies: unknown[]) => {
  const r = processBatch({
    bodies,
    partitionId: '0',
    sequenceNumbers: bodies.map((_, i) => i),
    enqueuedTimes: bodies.map(() => T0 + 3_600_000),
    pipelines,
    now: T0 + 3_600_000,
  });
  return { ...r, metrics: { ...r.metrics, processingMs: 0 } };
};

const time = fc.integer({ min: 0, max: 3_600_000 }).map((ms) => new Date(T0 + ms).toISOString());
const value = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.integer({ min: -10, max: 3000 }), fc.double({ noNaN: true })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, '7', true, [1], { x: 1 }, -0, 1e300) },
);
const event = fc.record(
  {
    stream: fc.constantFrom('s1', 's2', 'é'),
    time,
    value,
    origin: fc.constantFrom('LAS', 'PHL', 'SEA'),
    date: time,
    delay: value,
    distance: value,
    tail: fc.oneof(fc.constantFrom('N1', 'N2', 'N\u00e9', 'N"3'), value),
    destination: fc.constantFrom('PHL', 'D1', 'D2'),
    meta: fc.record({ kind: fc.constantFrom('x', 'y'), at: time }, { requiredKeys: [] }),
    tags: fc.array(fc.constantFrom('a', 'b'), { maxLength: 3 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
    specversion: fc.constant('1.0'),
    subject: fc.constantFrom('s1', 's2'),
  },
  { requiredKeys: [] },
);
/** A body: mostly an event's JSON, sometimes broken text, a CloudEvent, a BOM or a value that is not an object. */
const body = fc.oneof(
  { weight: 8, arbitrary: event.map((e) => JSON.stringify(e)) },
  { weight: 1, arbitrary: fc.constantFrom('', '[]', '1', 'null', '{"stream":"s1"', '\ufeff{"stream":"s1","value":1}') },
  {
    weight: 1,
    arbitrary: event.map((e) => JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't', data: e })),
  },
);

describe('processBatch with the selective parse', () => {
  it('takes the selective path for the plain bodies', () => {
    const selection = fieldSelection(pipelines);
    expect(selection).toBeDefined();
    const plain = JSON.stringify({ origin: 'LAS', date: new Date(T0).toISOString(), distance: 300, delay: 2 });
    expect(parseSelected(Buffer.from(plain), selection as NonNullable<typeof selection>)).toEqual({
      origin: 'LAS',
      date: new Date(T0).toISOString(),
      distance: 300,
      delay: 2,
    });
  });

  it('gives the result of the general path on any batch (property)', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 40 }), (texts) => {
        const selective = run(texts.map((t) => Buffer.from(t)));
        expect(selective).toEqual(run(texts.map((t) => new Uint8Array(Buffer.from(t)))));
      }),
      { numRuns: 300 },
    );
  });
});
