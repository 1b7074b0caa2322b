import fc from 'fast-check';

import { type CompiledPipeline, compilePipeline } from '../pipelines';
import { processBatch } from './processBatch';
import { DEAD_LETTER_REASONS } from './types';

function pipeline(definition: unknown): CompiledPipeline {
  const r = compilePipeline(definition);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.pipeline;
}

const temps = pipeline({ name: 'temps', window: { type: 'tumbling', size: 'PT1M' }, lateness: 'PT30S' });
const celsius = pipeline({
  name: 'celsius',
  filter: 'unit == "C"',
  window: { type: 'tumbling', size: 'PT10S' },
  measures: { c: 'value', f: 'value * 9 / 5 + 32' },
});
const T0 = Date.parse('2026-11-26T10:00:00Z');
const base = { partitionId: '3', now: T0 + 5000 };

describe('processBatch', () => {
  it('names the stream of an event its filter cannot evaluate, so erasing that stream finds the dead letter', () => {
    const evens = pipeline({ name: 'evens', filter: 'value % 2 == 0', window: { type: 'tumbling', size: 'PT1M' } });
    const bodies = [
      { stream: 'n', time: T0, value: 2.5 },
      { stream: 'x\uD800', time: T0, value: 2.5 },
      { stream: 'n', time: T0, value: 4 },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [evens],
    });
    expect(r.deadLetters.map((d) => [d.reason, d.sequenceNumber, d.stream])).toEqual([
      ['expression', 1, 'n'],
      // A key that breaks the stream-key rule names no stream.
      ['expression', 2, undefined],
    ]);
    expect(r.partials.map((p) => [p.stream, p.events])).toEqual([['n', 1]]);
  });

  it('folds a batch into one partial per (pipeline, stream) and dead-letters bad events with reasons', () => {
    const bodies = [
      JSON.stringify({ stream: 's1', time: '2026-11-26T10:00:00Z', value: 21.5, unit: 'C' }),
      { stream: 's1', time: T0 + 61_000, value: 22, unit: 'C' },
      JSON.stringify({ stream: 's2', time: T0 + 1000, value: 70, unit: 'F' }),
      '{"stream": "s1", "value": ',
      JSON.stringify({ stream: 's2', time: 'yesterday', value: 1 }),
      JSON.stringify({ stream: 's2', time: T0, value: 'warm', unit: 'C' }),
      42,
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [10, 11, 12, 13, 14, 15, 16],
      enqueuedTimes: bodies.map(() => '2026-11-26T10:00:02'),
      pipelines: [temps, celsius],
    });
    expect(r.partials.map((p) => `${p.pipeline}|${p.stream}`).sort()).toEqual([
      'celsius|s1',
      'celsius|s2',
      'temps|s1',
      'temps|s2',
    ]);
    const s1 = r.partials.find((p) => p.pipeline === 'temps' && p.stream === 's1');
    expect(s1).toMatchObject({
      partition: '3',
      firstSequence: 10,
      lastSequence: 16,
      firstEventSequence: 10,
      lastEventSequence: 11,
      events: 2,
      maxEventTime: T0 + 61_000,
    });
    expect(s1?.windows.map((w) => [w.start, w.events, w.measures['value']?.sum])).toEqual([
      [T0, 1, 21.5],
      [T0 + 60_000, 1, 22],
    ]);
    // Enqueued time strings without a zone are UTC: now - enqueued = 3 s.
    expect(s1?.latency.max).toBe(3000);
    const c1 = r.partials.find((p) => p.pipeline === 'celsius' && p.stream === 's1');
    expect(c1?.totals['f']?.sum).toBeCloseTo(21.5 * 1.8 + 32 + 22 * 1.8 + 32);
    expect(r.metrics.byPipeline['temps']).toMatchObject({ eventsIn: 7, aggregated: 3, filtered: 0, deadLettered: 4 });
    // The filter `unit == "C"` on the event without `unit` reads a missing field: like SQL NULL, false -> filtered.
    expect(r.metrics.byPipeline['celsius']).toMatchObject({
      eventsIn: 7,
      aggregated: 2,
      filtered: 2,
      filteredMissing: 1,
      deadLettered: 3,
    });
    expect(r.metrics.byReason).toEqual({
      'invalid-json': 2,
      schema: 5,
      expression: 0,
      late: 0,
      future: 0,
      'no-pipeline': 0,
      storage: 0,
      poison: 0,
    });
    expect(r.deadLetters.some((d) => d.pipeline === 'celsius' && d.sequenceNumber === 14)).toBe(false);
    expect(r.metrics).toMatchObject({ eventsIn: 14, bodies: 7, streams: 2, entityOperations: 4 });
    const bad = r.deadLetters.find((d) => d.reason === 'invalid-json');
    expect(bad).toMatchObject({
      raw: '{"stream": "s1", "value": ',
      partition: '3',
      sequenceNumber: 13,
      enqueuedTime: '2026-11-26T10:00:02.000Z',
    });
    expect(r.deadLetters.find((d) => d.sequenceNumber === 15 && d.pipeline === 'temps')?.detail).toMatch(
      /measure value "value": expected a finite number, found string "warm"/,
    );
    expect(r.deadLetters.find((d) => d.sequenceNumber === 16)?.raw).toBe('42');
  });

  it('treats a field the event lacks as SQL NULL: match/filter false (filtered, counted), measure skipped; type errors still dead-letter', () => {
    const flights = pipeline({
      name: 'flights',
      key: 'origin',
      time: 'date',
      filter: 'distance > 100',
      measures: { delay: 'delay * 60', distance: 'distance' },
    });
    const rooms = pipeline({ name: 'rooms', match: 'room.startsWith("r")', key: 'room', measures: { value: 'value' } });
    const bodies = [
      { stream: 'room-1', value: 20, room: 'r1' },
      { origin: 'LAS', date: T0, distance: 2176, delay: 3 },
      { origin: 'LAS', date: T0, distance: 2176 },
      { origin: 'LAS', date: T0, distance: 'far', delay: 3 },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [flights, rooms],
    });
    expect(r.metrics.byPipeline['flights']).toMatchObject({
      eventsIn: 4,
      aggregated: 2,
      filtered: 1,
      filteredMissing: 1,
      deadLettered: 1,
    });
    expect(r.metrics.byPipeline['rooms']).toMatchObject({
      eventsIn: 4,
      aggregated: 1,
      filtered: 3,
      filteredMissing: 3,
      deadLettered: 0,
    });
    expect(r.metrics).toMatchObject({ eventsIn: 8, aggregated: 3, filtered: 4, filteredMissing: 4, deadLettered: 1 });
    // The room event reached no pipeline's dead letters; the flight without `delay` counts with distance only.
    expect(r.deadLetters.map((d) => [d.pipeline, d.sequenceNumber, d.reason])).toEqual([['flights', 4, 'expression']]);
    expect(r.deadLetters[0]?.detail).toMatch(/no such overload: dyn<string> > int/);
    const las = r.partials.find((p) => p.pipeline === 'flights');
    expect(las?.totals['delay']?.count).toBe(1);
    expect(las?.totals['distance']?.count).toBe(2);
  });

  it('dead-letters an event whose expression exceeds the cost budget, naming the limit; batch-mates and other streams flow', () => {
    const p = pipeline({ name: 'quad', filter: 'xs.all(x, x in xs)' });
    const huge = { stream: 'attack', value: 1, xs: Array.from({ length: 50_000 }, (_, i) => i) };
    const bodies = [{ stream: 'a', value: 1, xs: [1, 2] }, huge, { stream: 'b', value: 2, xs: [] }];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [p],
    });
    expect(r.metrics.byPipeline['quad']).toMatchObject({
      eventsIn: 3,
      aggregated: 2,
      deadLettered: 1,
      byReason: { expression: 1 },
    });
    expect(r.deadLetters).toHaveLength(1);
    expect(r.deadLetters[0]).toMatchObject({ sequenceNumber: 2, reason: 'expression', pipeline: 'quad' });
    expect(r.deadLetters[0]?.detail).toMatch(
      /^filter "xs.all\(x, x in xs\)": expression limit: cost budget of [0-9]+ exceeded/,
    );
    expect(r.partials.map((x) => x.stream).sort()).toEqual(['a', 'b']);
  });

  it('keeps only the even values with the seed example {"filter": "value % 2 == 0"} (JSON numbers are doubles)', () => {
    const even = pipeline({ name: 'even', filter: 'value % 2 == 0' });
    const bodies = [1, 2, 3, 4, 5, 6].map((value) => ({ stream: 'n', value, time: T0 }));
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4, 5, 6],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [even],
    });
    expect(r.metrics).toMatchObject({ aggregated: 3, filtered: 3, deadLettered: 0 });
    expect(r.partials[0]?.totals['value']).toMatchObject({ count: 3, sum: 12 });
  });

  it('uses the enqueued time when the time field is missing, and dead-letters late events against the caller watermark', () => {
    const r = processBatch({
      ...base,
      bodies: [
        { stream: 'a', value: 1 },
        { stream: 'a', value: 2, time: T0 - 31_000 },
        { stream: 'a', value: 3, time: T0 - 29_000 },
      ],
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: [T0 + 1234, T0, T0],
      pipelines: [temps],
      watermarks: (p, s) => (p === 'temps' && s === 'a' ? T0 : undefined),
    });
    const p = r.partials[0];
    expect(p?.events).toBe(2);
    expect(p?.late).toBe(1);
    expect(p?.maxEventTime).toBe(T0 + 1234);
    expect(r.deadLetters).toHaveLength(1);
    expect(r.deadLetters[0]).toMatchObject({ reason: 'late', sequenceNumber: 2, pipeline: 'temps', stream: 'a' });
  });

  it('reports the enqueued-to-processed latency and the processing time of the batch', () => {
    const r = processBatch({
      ...base,
      bodies: ['{"stream":"a","value":1}', '{"stream":"b","value":2}', 'x'],
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: [T0 + 1000, T0 + 4000, T0 + 4000],
      pipelines: [temps],
    });
    expect(r.metrics.latencyMs).toEqual({ min: 1000, mean: 2000, max: 4000 });
    expect(r.metrics.processingMs).toBeGreaterThanOrEqual(0);
    expect(
      processBatch({ ...base, bodies: [], sequenceNumbers: [], enqueuedTimes: [], pipelines: [temps] }).metrics
        .latencyMs,
    ).toBeNull();
  });

  it('merges the tumbling windows of a stream into its batch totals', () => {
    const bodies = [0, 15_000, 61_000, 125_000].map((dt, i) => ({ stream: 'a', time: T0 + dt, value: i * 10 - 5 }));
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [temps],
    });
    const totals = r.partials[0]?.totals['value'];
    expect(r.partials[0]?.windows).toHaveLength(3);
    expect(totals).toMatchObject({
      count: 4,
      sum: 40,
      min: -5,
      max: 25,
      first: { time: T0, value: -5 },
      last: { time: T0 + 125_000, value: 25 },
    });
    expect(totals?.mean).toBeCloseTo(10);
  });

  it('dead-letters every event as no-pipeline when there are no pipelines', () => {
    const r = processBatch({
      ...base,
      bodies: ['{}', 'x'],
      sequenceNumbers: [1, 2],
      enqueuedTimes: [T0, T0],
      pipelines: [],
    });
    expect(r.partials).toEqual([]);
    expect(r.metrics).toMatchObject({ eventsIn: 2, deadLettered: 2, byReason: { 'no-pipeline': 2 } });
  });

  const body = fc.oneof(
    fc
      .record({
        stream: fc.constantFrom('a', 'b', 'c', 7, '', null),
        time: fc.oneof(
          fc.integer({ min: T0 - 120_000, max: T0 + 120_000 }),
          fc.constant('not a time'),
          fc.constant(undefined),
        ),
        value: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constant('x'), fc.constant(null)),
        unit: fc.constantFrom('C', 'F', 3),
      })
      .map((e) => (Math.abs(Number(e.value)) % 2 === 0 ? JSON.stringify(e) : e)),
    fc.string({ maxLength: 8 }),
    fc.jsonValue({ maxDepth: 1 }),
  );

  it('keeps eventsIn = aggregated + filtered + deadLettered per pipeline and overall', () => {
    fc.assert(
      fc.property(
        fc.array(body, { maxLength: 40 }),
        fc.option(fc.integer({ min: T0 - 60_000, max: T0 + 60_000 })),
        (bodies, wm) => {
          const pipelines = [temps, celsius];
          const r = processBatch({
            ...base,
            bodies,
            sequenceNumbers: bodies.map((_, i) => 100 + i),
            enqueuedTimes: bodies.map(() => T0),
            pipelines,
            watermarks: () => wm ?? undefined,
          });
          const m = r.metrics;
          expect(m.eventsIn).toBe(bodies.length * pipelines.length);
          expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
          expect(m.deadLettered).toBe(r.deadLetters.length);
          expect(DEAD_LETTER_REASONS.reduce((n, reason) => n + m.byReason[reason], 0)).toBe(m.deadLettered);
          for (const p of pipelines) {
            const c = m.byPipeline[p.name];
            expect(c && c.eventsIn).toBe(bodies.length);
            expect(c && c.aggregated + c.filtered + c.deadLettered).toBe(bodies.length);
            const partials = r.partials.filter((x) => x.pipeline === p.name);
            expect(partials.reduce((n, x) => n + x.events, 0)).toBe(c?.aggregated);
            expect(new Set(partials.map((x) => x.stream)).size).toBe(partials.length);
            for (const x of partials) expect(x.windows.reduce((n, w) => n + w.events, 0)).toBe(x.events);
          }
          expect(m.entityOperations).toBe(r.partials.length);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('with deadLetterUnmatched, dead-letters an event once as no-pipeline exactly when every pipeline filtered it out, keeping every invariant', () => {
    const fahrenheit = pipeline({
      name: 'fahrenheit',
      match: 'unit == "F"',
      window: { type: 'tumbling', size: 'PT10S' },
    });
    const choices = [temps, celsius, fahrenheit];
    fc.assert(
      fc.property(fc.array(body, { maxLength: 30 }), fc.subarray(choices, { minLength: 1 }), (bodies, pipelines) => {
        const input = {
          ...base,
          bodies,
          sequenceNumbers: bodies.map((_, i) => 100 + i),
          enqueuedTimes: bodies.map(() => T0),
          pipelines,
        };
        const off = processBatch(input);
        const on = processBatch({ ...input, deadLetterUnmatched: true });
        // Oracle: each body alone through each pipeline alone.
        const unmatched = bodies.flatMap((b, i) =>
          pipelines.every(
            (p) =>
              processBatch({ ...input, bodies: [b], sequenceNumbers: [100 + i], enqueuedTimes: [T0], pipelines: [p] })
                .metrics.filtered === 1,
          )
            ? [100 + i]
            : [],
        );
        const extra = on.deadLetters.filter((d) => d.pipeline === undefined);
        expect(extra.map((d) => d.sequenceNumber)).toEqual(unmatched);
        expect(extra.every((d) => d.reason === 'no-pipeline' && d.stream === undefined)).toBe(true);
        const m = on.metrics;
        expect(m.eventsIn).toBe(bodies.length * pipelines.length + unmatched.length);
        expect(m.eventsIn).toBe(m.aggregated + m.filtered + m.deadLettered);
        expect(m.deadLettered).toBe(on.deadLetters.length);
        expect(m.byReason['no-pipeline']).toBe(unmatched.length);
        // Per pipeline nothing changes: the extra delivery belongs to no pipeline.
        expect(m.byPipeline).toEqual(off.metrics.byPipeline);
        for (const c of Object.values(m.byPipeline))
          expect(c.eventsIn).toBe(c.aggregated + c.filtered + c.deadLettered);
        expect({ ...m, eventsIn: 0, deadLettered: 0, byReason: {}, processingMs: 0 }).toEqual({
          ...off.metrics,
          eventsIn: 0,
          deadLettered: 0,
          byReason: {},
          processingMs: 0,
        });
        expect(on.partials).toEqual(off.partials);
      }),
      { numRuns: 200 },
    );
    // Without a filter nothing is ever unmatched; with no pipelines the setting changes nothing either.
    const all = processBatch({
      ...base,
      bodies: ['{"stream":"a","value":1}'],
      sequenceNumbers: [1],
      enqueuedTimes: [T0],
      pipelines: [temps],
      deadLetterUnmatched: true,
    });
    expect(all.deadLetters).toEqual([]);
    const none = processBatch({
      ...base,
      bodies: ['{}'],
      sequenceNumbers: [1],
      enqueuedTimes: [T0],
      pipelines: [],
      deadLetterUnmatched: true,
    });
    expect(none.metrics).toMatchObject({ eventsIn: 1, deadLettered: 1, byReason: { 'no-pipeline': 1 } });
  });
  const flights = pipeline({
    name: 'flights',
    key: 'origin',
    time: 'date',
    filter: 'distance > 100',
    measures: { delay: 'delay', distance: 'distance' },
    window: { type: 'tumbling', size: 'PT1H' },
    lateness: 'PT5M',
  });
  const ce = (subject: string | undefined, time: string | undefined, data: unknown) => ({
    specversion: '1.0',
    id: `id-${subject}`,
    source: '/test',
    type: 'test.event',
    ...(subject === undefined ? {} : { subject }),
    ...(time === undefined ? {} : { time }),
    data,
  });

  it('runs the flights pipeline on plain records and on CloudEvents alike', () => {
    const record = { date: '2001-01-01T00:01:00Z', delay: 33, distance: 2176, origin: 'LAS', destination: 'PHL' };
    const bodies = [
      record,
      JSON.stringify(ce('ignored', '2020-01-01T00:00:00Z', { ...record, delay: 7 })),
      { ...record, distance: 90 },
      { ...record, origin: undefined },
      ce('x', undefined, 'not an object'),
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4, 5],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [flights],
    });
    expect(r.partials).toHaveLength(1);
    const las = r.partials[0];
    expect(las).toMatchObject({ stream: 'LAS', events: 2, maxEventTime: Date.parse('2001-01-01T00:01:00Z') });
    expect(
      las?.windows.map((w) => [
        new Date(w.start).toISOString(),
        w.events,
        w.measures['delay']?.sum,
        w.measures['distance']?.max,
      ]),
    ).toEqual([['2001-01-01T00:00:00.000Z', 2, 40, 2176]]);
    expect(r.metrics).toMatchObject({ aggregated: 2, filtered: 1, deadLettered: 2, byReason: { schema: 2 } });
    // An explicit key never falls back to the subject; a non-object CloudEvent data is a schema problem.
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.detail])).toEqual([
      [4, 'key "origin": expected a non-empty string or number, found null'],
      [5, 'CloudEvent: data: expected a JSON object, found string "not an object"'],
    ]);
  });

  it('dead-letters a stream key that is empty, not well-formed Unicode or over 256 UTF-8 bytes as schema naming the rule, never aggregated', () => {
    const at256 = 'é'.repeat(128);
    const keys = ['ok', '', '\ud800', 'a\udc00b', at256, `${at256}x`, 'q4%2Fb', '..', 'a|b'];
    const bodies = keys.map((stream) => ({ stream, time: T0, value: 1 }));
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: keys.map((_, i) => i + 1),
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [temps],
    });
    expect(r.partials.map((p) => p.stream).sort()).toEqual(['..', 'a|b', 'ok', 'q4%2Fb', at256].sort());
    expect(r.metrics).toMatchObject({ aggregated: 5, deadLettered: 4, byReason: { schema: 4 } });
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      [2, 'schema', 'key "stream": expected a non-empty stream key, found an empty string'],
      [
        3,
        'schema',
        'key "stream": expected a stream key of well-formed Unicode, found a lone surrogate (it cannot be encoded as UTF-8)',
      ],
      [
        4,
        'schema',
        'key "stream": expected a stream key of well-formed Unicode, found a lone surrogate (it cannot be encoded as UTF-8)',
      ],
      [6, 'schema', 'key "stream": expected a stream key of at most 256 UTF-8 bytes, found 257'],
    ]);
  });

  it('keys CloudEvents by subject and times them by their time under the default key and time', () => {
    const bodies = [
      ce('s1', '2026-11-26T10:00:10Z', { value: 2 }),
      ce('s1', '2026-11-26T10:00:20Z', { value: 3, stream: 'from-data' }),
      ce(undefined, '2026-11-26T10:00:30Z', { value: 4 }),
      ce('s1', undefined, { value: 5, time: '2026-11-26T10:01:00Z' }),
      ce('s1', 'yesterday', { value: 6 }),
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4, 5],
      enqueuedTimes: bodies.map(() => T0 + 100_000),
      pipelines: [temps],
    });
    const partial = (stream: string) => r.partials.find((p) => p.stream === stream);
    expect(partial('s1')?.windows.map((w) => [w.start - T0, w.measures['value']?.sum])).toEqual([
      [0, 2],
      [60_000, 5],
    ]);
    expect(partial('from-data')?.events).toBe(1);
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      [3, 'schema', 'key "stream": expected a non-empty string or number, found null'],
      [
        5,
        'schema',
        'CloudEvent time: expected an ISO-8601 time like "2026-11-26T10:00:00Z" or epoch milliseconds, found string "yesterday"',
      ],
    ]);
  });

  it('folds CloudEvents exactly as the same plain events (default pipeline)', () => {
    const event = fc.record({
      stream: fc.constantFrom('a', 'b', 'c'),
      time: fc.integer({ min: T0 - 120_000, max: T0 + 120_000 }).map((t) => new Date(t).toISOString()),
      value: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), fc.boolean(), (events, asStrings) => {
        const input = {
          ...base,
          sequenceNumbers: events.map((_, i) => i),
          enqueuedTimes: events.map(() => T0),
          pipelines: [temps, celsius],
        };
        const wrap = (b: unknown) => (asStrings ? JSON.stringify(b) : b);
        const plain = processBatch({ ...input, bodies: events.map(wrap) });
        const cloud = processBatch({
          ...input,
          bodies: events.map((e) => wrap(ce(e.stream, e.time, { value: e.value }))),
        });
        expect(cloud.partials).toEqual(plain.partials);
        expect({ ...cloud.metrics, processingMs: 0 }).toEqual({ ...plain.metrics, processingMs: 0 });
        expect(cloud.deadLetters.map(({ raw: _raw, ...d }) => d)).toEqual(
          plain.deadLetters.map(({ raw: _raw, ...d }) => d),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('takes only matching events; a non-matching or unevaluable match counts as filtered, and no-pipeline when nobody takes it', () => {
    const onlyF = pipeline({ name: 'f', match: 'unit == "F"', window: { type: 'tumbling', size: 'PT1M' } });
    const bodies = [
      { stream: 'a', value: 1, unit: 'F' },
      { stream: 'a', value: 2, unit: 'C' },
      { stream: 'a', value: 3 },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: [T0, T0, T0],
      pipelines: [onlyF],
      deadLetterUnmatched: true,
    });
    expect(r.partials.map((p) => [p.stream, p.events, p.totals['value']?.sum])).toEqual([['a', 1, 1]]);
    expect(r.metrics.byPipeline['f']).toMatchObject({ eventsIn: 3, aggregated: 1, filtered: 2, deadLettered: 0 });
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.pipeline])).toEqual([
      [2, 'no-pipeline', undefined],
      [3, 'no-pipeline', undefined],
    ]);
  });

  it('lets a pipeline match CloudEvents by their attributes (`cloudevent.type`); plain events have none', () => {
    const departures = pipeline({
      name: 'departures',
      match: 'cloudevent.type == "flight.departed"',
      key: 'origin',
      measures: { delay: 'delay' },
      window: { type: 'tumbling', size: 'PT1H' },
    });
    const event = (type: string, origin: string, delay: number) => ({
      specversion: '1.0',
      id: `${type}-${origin}`,
      source: '/flights',
      type,
      time: '2026-11-26T10:00:00Z',
      data: { origin, delay },
    });
    const bodies = [
      event('flight.departed', 'LAS', 33),
      event('flight.arrived', 'LAS', 5),
      event('flight.departed', 'SEA', 7),
      { origin: 'LAS', delay: 100 },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3, 4],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [departures],
    });
    expect(r.partials.map((p) => [p.stream, p.events, p.totals['delay']?.sum]).sort()).toEqual([
      ['LAS', 1, 33],
      ['SEA', 1, 7],
    ]);
    expect(r.metrics.byPipeline['departures']).toMatchObject({
      eventsIn: 4,
      matched: 2,
      aggregated: 2,
      filtered: 2,
      deadLettered: 0,
    });
  });

  it('dead-letters only the event whose measure expression fails, and converts CEL ints to numbers', () => {
    const calc = pipeline({
      name: 'calc',
      measures: { twice: 'value * 2', flag: 'value > 10 ? 1 : 0', raw: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
    });
    const bodies = [
      { stream: 'a', value: 20 },
      { stream: 'a', other: 1 },
      { stream: 'a', value: 'x' },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: [T0, T0, T0],
      pipelines: [calc],
    });
    expect(r.partials[0]?.totals).toMatchObject({ twice: { sum: 40 }, flag: { sum: 1 }, raw: { sum: 20 } });
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.detail])).toEqual([
      // A measure over a missing field is skipped (SQL NULL); with every measure skipped there is nothing to count.
      [
        2,
        'schema',
        'expected a value for at least one measure (twice = value * 2, flag = value > 10 ? 1 : 0, raw = value), found none (all null or missing)',
      ],
      [3, 'expression', 'measure twice "value * 2": no such overload: dyn<string> * int (at position 0)'],
    ]);
  });
});

describe('processBatch: stream key checked once per stream and batch', () => {
  it('dead-letters every event of a bad key, however often it repeats between good ones, and aggregates the good ones', () => {
    const keys = ['a', '\ud800', 'b', 'a', '\ud800', 'a', '', 'b', '', '\ud800', 'a'];
    const bodies = keys.map((stream, i) => ({ stream, time: T0 + i, value: i }));
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: keys.map((_, i) => i),
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [temps],
    });
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason])).toEqual([1, 4, 6, 8, 9].map((i) => [i, 'schema']));
    expect(r.partials.map((p) => [p.stream, p.events, p.totals['value']?.sum]).sort()).toEqual([
      ['a', 4, 0 + 3 + 5 + 10],
      ['b', 2, 2 + 7],
    ]);
  });
});

describe('processBatch: targets (replayed dead letters)', () => {
  it('an event targeted at one pipeline is a delivery of that pipeline only; untargeted events go to every pipeline', () => {
    const bodies = [
      { stream: 's', time: T0, value: 1, unit: 'C' },
      { stream: 's', time: T0, value: 2, unit: 'C' },
      { stream: 's', time: T0, value: 4, unit: 'C' },
    ];
    const r = processBatch({
      ...base,
      bodies,
      sequenceNumbers: [1, 2, 3],
      enqueuedTimes: bodies.map(() => T0),
      pipelines: [temps, celsius],
      targets: [undefined, 'celsius', 'nowhere'],
    });
    expect(r.partials.map((p) => [p.pipeline, p.events, p.totals['value']?.sum ?? p.totals['c']?.sum])).toEqual([
      ['temps', 1, 1],
      ['celsius', 2, 3],
    ]);
    expect([
      r.metrics.eventsIn,
      r.metrics.byPipeline['temps']?.eventsIn,
      r.metrics.byPipeline['celsius']?.eventsIn,
    ]).toEqual([3, 1, 2]);
    expect(r.metrics.eventsIn).toBe(r.metrics.aggregated + r.metrics.filtered + r.metrics.deadLettered);
  });
});
