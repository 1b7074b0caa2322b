import { processBatch, type StreamPartial } from '../batch';
import { compilePipeline, type PipelineConfig } from '../pipelines';
import {
  closedWindowFromStored,
  initialStreamState,
  mergePartial,
  type StreamState,
  streamView,
  toStoredWindow,
} from '../state';
import type { ClosedWindow, StoredClosedWindow } from '../state/types';

const T0 = Date.parse('2026-11-26T10:00:00Z');

function compile(definition: object) {
  const c = compilePipeline({ name: 'p', ...definition });
  if (!c.ok) throw new Error(JSON.stringify(c.issues));
  return c.pipeline;
}

const pipeline = compile({
  key: 'origin',
  measures: { delay: 'delay' },
  aggregates: {
    destinations: { kind: 'distinct', expr: 'destination' },
    routes: { kind: 'topK', expr: 'origin + "-" + destination', k: 2 },
  },
  window: { type: 'tumbling', size: 'PT1M' },
  lateness: 'PT1S',
});

function batch(partition: string, seq: number, events: object[], now = T0 + 600_000) {
  return processBatch({
    bodies: events.map((e) => JSON.stringify(e)),
    partitionId: partition,
    sequenceNumbers: events.map((_, i) => seq + i),
    enqueuedTimes: events.map(() => T0 + 590_000),
    pipelines: [pipeline],
    now,
  });
}

describe('aggregates through a pipeline', () => {
  it('parses the issue example, fills option defaults and keeps a measures-only definition unchanged', () => {
    const c = compilePipeline({
      name: 'flights',
      key: 'origin',
      time: 'date',
      measures: { delay: 'delay' },
      aggregates: {
        destinations: { kind: 'distinct', expr: 'destination' },
        routes: { kind: 'topK', expr: 'origin + "-" + destination', k: 10 },
      },
      window: { type: 'session', gap: 'PT30M', maxDuration: 'PT12H' },
    });
    if (!c.ok) throw new Error(JSON.stringify(c.issues));
    expect(c.pipeline.definition.aggregates).toEqual({
      destinations: { kind: 'distinct', expr: 'destination', precision: 14 },
      routes: { kind: 'topK', expr: 'origin + "-" + destination', k: 10 },
    });
    expect(c.pipeline.config.session).toEqual({ gapMs: 1_800_000, maxDurationMs: 43_200_000 });
    const plain = compilePipeline({ name: 'plain' });
    expect(
      plain.ok && [plain.pipeline.definition.aggregates, plain.pipeline.aggregates, plain.pipeline.config.session],
    ).toEqual([undefined, [], undefined]);
  });

  it("validates each entry with its kind's schema, naming the field", () => {
    const issues = (aggregates: unknown) => {
      const c = compilePipeline({ aggregates }, 'p');
      return c.ok ? [] : c.issues.map((i) => i.message);
    };
    expect(issues({ a: { kind: 'median', expr: 'x' } })).toEqual([
      'aggregates.a.kind: expected one of "moments", "quantiles", "distinct", "topK"; found string "median"',
    ]);
    expect(issues({ a: { kind: 'topK', expr: 'x', k: 0 } })[0]).toMatch(/^aggregates\.a\.k: .*found number 0$/);
    expect(issues({ a: { kind: 'distinct', expr: 'x', size: 3 } })[0]).toMatch(
      /^aggregates\.a: unknown option\(s\) "size" for kind "distinct"/,
    );
    expect(issues({ a: { kind: 'distinct', expr: 'x +' } })[0]).toMatch(
      /^aggregates\.a\.expr: expected a valid string or number CEL expression/,
    );
    expect(issues({ a: { kind: 'quantiles', expr: 'name + "x"' } })[0]).toMatch(
      /^aggregates\.a\.expr: expected a valid numeric CEL expression/,
    );
    expect(issues({ value: { kind: 'distinct', expr: 'x' } })).toEqual([
      'aggregates.value: expected a name no measure has (results are looked up by name); found measure "value" too',
    ]);
  });

  it('skips missing values, dead-letters values of the wrong type, and an event with only an aggregate value counts', () => {
    const r = batch('0', 0, [
      { origin: 'A', destination: 'X', delay: 1, time: T0 },
      { origin: 'A', destination: 'Y', time: T0 + 1 }, // no delay: aggregates only
      { origin: 'A', destination: true, delay: 3, time: T0 + 2 }, // a boolean: schema
      { origin: 'A', delay: 4, time: T0 + 3 }, // no destination: distinct skips it; the topK expression fails on it
    ]);
    expect(r.metrics.aggregated).toBe(3);
    expect(r.deadLetters.map((d) => [d.reason, d.detail])).toEqual([
      [
        'schema',
        'aggregate destinations "destination" (distinct): expected a string or finite number, found boolean true',
      ],
    ]);
    const p = r.partials[0] as StreamPartial;
    expect(p.windows[0]?.measures['delay']?.count).toBe(2);
    expect(Object.keys(p.windows[0]?.aggregates ?? {})).toEqual(['destinations', 'routes']);
  });

  it('merges across partitions into the view, closes into compact rows, and reads them back with their bounds', () => {
    const config: PipelineConfig = pipeline.config;
    let state: StreamState = initialStreamState();
    const closed: StoredClosedWindow[] = [];
    const feed = (partition: string, seq: number, events: object[], now: number) => {
      const p = batch(partition, seq, events, now).partials[0] as StreamPartial;
      const m = mergePartial(state, p, now, config);
      state = m.state;
      closed.push(...m.closedWindows);
    };
    const ev = (destination: string, t: number) => ({ origin: 'A', destination, delay: 1, time: T0 + t });
    feed('0', 0, [ev('X', 0), ev('Y', 1), ev('X', 2)], T0 + 600_000);
    feed('1', 0, [ev('X', 3), ev('Z', 4)], T0 + 600_000);
    const view = streamView(state);
    expect(view.aggregateTotals).toEqual({
      destinations: { kind: 'distinct', estimate: 3, standardError: 0.008125 },
      routes: {
        kind: 'topK',
        total: 5,
        items: [
          { value: 'A-X', count: 3, maxError: 0, share: 0.6 },
          { value: 'A-Y', count: 1, maxError: 0, share: 0.2 },
        ],
      },
    });
    expect(view.windows[0]?.aggregates?.['destinations']).toEqual({
      kind: 'distinct',
      estimate: 3,
      standardError: 0.008125,
    });
    // Later events in both partitions commit the first batches and close minute 0.
    feed('0', 3, [ev('X', 120_000)], T0 + 601_000);
    feed('1', 2, [ev('X', 120_001)], T0 + 601_000);
    feed('0', 4, [ev('X', 120_002)], T0 + 602_000);
    feed('1', 3, [ev('X', 120_003)], T0 + 602_000);
    const minute0 = closed.find((w) => w.start === T0);
    expect(minute0?.events).toBe(5);
    // Closed in the stored form: each aggregate its kind and encoding only; its result is derived on read.
    expect(minute0?.aggregates?.['routes']).toEqual({ kind: 'topK', data: expect.any(String) });
    expect(Object.keys(minute0?.aggregates?.['routes'] ?? {})).toEqual(['kind', 'data']);
    const read = closedWindowFromStored(JSON.parse(JSON.stringify(minute0))) as ClosedWindow;
    expect(read.aggregates?.['destinations']).toMatchObject({ kind: 'distinct', estimate: 3 });
    const stored = toStoredWindow(minute0 as StoredClosedWindow);
    expect(stored).toEqual(minute0);
    // The form with results gives the same row back.
    expect(JSON.parse(JSON.stringify(toStoredWindow(read)))).toEqual(JSON.parse(JSON.stringify(minute0)));
    // A row whose aggregate this code cannot read is served as stored.
    const odd = { ...stored, aggregates: { x: { kind: 'unknown', data: 'AA==' } } };
    expect((closedWindowFromStored(odd) as { aggregates: unknown }).aggregates).toEqual({
      x: { kind: 'unknown', data: 'AA==' },
    });
  });

  it('counts an event once in the totals of hopping windows, and in every window holding it', () => {
    const hopping = compile({
      key: 'origin',
      aggregates: { d: { kind: 'distinct', expr: 'destination' }, t: { kind: 'topK', expr: 'destination', k: 1 } },
      window: { type: 'hopping', size: 'PT2M', hop: 'PT1M' },
    });
    const bodies = ['X', 'Y', 'X'].map((destination, i) =>
      JSON.stringify({ origin: 'A', destination, time: T0 + 60_000 + i }),
    );
    const p = processBatch({
      bodies,
      partitionId: '0',
      sequenceNumbers: [0, 1, 2],
      enqueuedTimes: [T0, T0, T0],
      pipelines: [hopping],
      now: T0,
    }).partials[0] as StreamPartial;
    expect(p.windows.length).toBe(2);
    const view = streamView(mergePartial(initialStreamState(), p, T0, hopping.config).state);
    expect(view.aggregateTotals).toEqual({
      d: { kind: 'distinct', estimate: 2, standardError: 0.008125 },
      t: { kind: 'topK', total: 3, items: [{ value: 'X', count: 2, maxError: 0, share: 0.666667 }] },
    });
    expect(view.windows.map((w) => w.aggregates?.['t']?.['total'])).toEqual([3, 3]);
  });

  it('adds nothing to the state of a pipeline without aggregates', () => {
    const plain = compile({ key: 'origin', measures: { delay: 'delay' } });
    const r = processBatch({
      bodies: [JSON.stringify({ origin: 'A', delay: 1, time: T0 })],
      partitionId: '0',
      sequenceNumbers: [0],
      enqueuedTimes: [T0],
      pipelines: [plain],
      now: T0,
    });
    const p = r.partials[0] as StreamPartial;
    expect(['aggregates' in (p.windows[0] as object), 'aggregateTotals' in p, 'session' in p]).toEqual([
      false,
      false,
      false,
    ]);
    const m = mergePartial(initialStreamState(), p, T0, plain.config);
    expect(JSON.stringify(m.state)).not.toMatch(/aggregate|session|absorbed/);
  });
});
