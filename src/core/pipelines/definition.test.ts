import fc from 'fast-check';

import { formatDuration } from '../duration';
import { compilePipeline } from './compile';
import { defaultPipeline, parsePipeline, type PipelineDefinition } from './definition';

const flights = {
  key: 'origin',
  time: 'date',
  filter: 'distance > 100',
  measures: { delay: 'delay', distance: 'distance' },
  window: { type: 'tumbling', size: 'PT1H' },
  lateness: 'PT5M',
};

const issuesOf = (input: unknown, name?: string) => {
  const r = parsePipeline(input, name);
  if (r.ok) throw new Error('expected issues');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
};

describe('parsePipeline', () => {
  it('accepts the flights definition exactly as the issue writes it, named from where it is stored', () => {
    const r = parsePipeline(flights, 'flights');
    expect(r).toEqual({
      ok: true,
      pipeline: { name: 'flights', ...flights, retention: 60, sketchAccuracy: 0.01, idleTimeout: 'PT2M' },
    });
    const c = compilePipeline(flights, 'flights');
    if (!c.ok) throw new Error(JSON.stringify(c.issues));
    expect(c.pipeline.config).toEqual({
      name: 'flights',
      windowSizeMs: 3_600_000,
      hopMs: 3_600_000,
      allowedLatenessMs: 300_000,
      retention: 60,
      sketchAccuracy: 0.01,
      idleTimeoutMs: 120_000,
    });
    expect(c.pipeline.measures.map(([n, e]) => [n, e.fieldPath])).toEqual([
      ['delay', ['delay']],
      ['distance', ['distance']],
    ]);
  });

  it('fills every default: the empty definition is the default pipeline', () => {
    const r = parsePipeline({}, 'default');
    expect(r).toEqual({ ok: true, pipeline: { ...defaultPipeline, description: undefined } });
    expect(r.ok && r.pipeline).toMatchObject({
      key: 'stream',
      time: 'time',
      measures: { value: 'value' },
      window: { type: 'tumbling', size: 'PT1M' },
      lateness: 'PT30S',
    });
    const d = compilePipeline(defaultPipeline);
    expect(d.ok && d.pipeline.keyFallsBackToSubject).toBe(true);
  });

  it('takes a hopping window with its hop, and checks type, hop and overlap', () => {
    const hopping = compilePipeline({ ...flights, window: { type: 'hopping', size: 'PT1H', hop: 'PT15M' } }, 'h');
    expect(hopping.ok && hopping.pipeline.config).toMatchObject({ windowSizeMs: 3_600_000, hopMs: 900_000 });
    expect(issuesOf({ window: { type: 'hopping', size: 'PT1H' } }, 'h')['window.hop']).toBe(
      'window.hop: expected the hop of a hopping window as an ISO 8601 duration like "PT15M"; found nothing',
    );
    expect(issuesOf({ window: { type: 'tumbling', size: 'PT1H', hop: 'PT15M' } }, 'h')['window.hop']).toBe(
      'window.hop: expected no hop for a tumbling window (use type "hopping"); found string "PT15M"',
    );
    expect(issuesOf({ window: { type: 'hopping', size: 'PT10S', hop: 'PT20S' } }, 'h')['window.hop']).toMatch(
      /expected a hop no longer than window.size \(PT10S\)/,
    );
    expect(issuesOf({ window: { type: 'hopping', size: 'PT1H', hop: 'PT30S' } }, 'h')['window.hop']).toMatch(
      /expected at most 100 overlapping windows/,
    );
    expect(issuesOf({ window: { size: 'PT1H' } }, 'h')['window.type']).toBe(
      'window.type: expected "tumbling", "hopping" or "session"; found nothing',
    );
    expect(issuesOf({ window: { type: 'sliding', size: 'PT1H' } }, 'h')['window.type']).toBe(
      'window.type: expected "tumbling", "hopping" or "session"; found string "sliding"',
    );
    expect(issuesOf({ window: 'PT1H' }, 'h')['window']).toMatch(
      /^window: expected an object like \{"type": "tumbling", "size": "PT1M"\}; found string "PT1H"/,
    );
    expect(issuesOf({ window: { type: 'tumbling', size: 'PT1H', every: 2 } }, 'h')['window']).toBe(
      'window: unknown field(s) "every"; expected only type, size, hop, gap, maxDuration',
    );
  });

  it('reads durations as ISO 8601 only, within bounds, naming field, expectation and what was found', () => {
    const bad = issuesOf({ window: { type: 'tumbling', size: '10s' }, lateness: 30_000, idleTimeout: '2m' }, 'd');
    expect(bad['window.size']).toMatch(
      /^window.size: expected an ISO 8601 duration like "PT1M".*; found string "10s"$/,
    );
    expect(bad['lateness']).toBe('lateness: expected an ISO 8601 duration like "PT1M"; found number 30000');
    expect(bad['idleTimeout']).toMatch(
      /^idleTimeout: expected an ISO 8601 duration like "PT2M" \(from PT1S to P31D\), or "PT0S" or null to disable it; found string "2m"$/,
    );
    expect(issuesOf({ window: { type: 'tumbling', size: 'P32D' } }, 'd')['window.size']).toBe(
      'window.size: expected a duration between PT1S and P31D; found string "P32D"',
    );
    const ok = compilePipeline(
      { window: { type: 'tumbling', size: 'PT1S' }, lateness: 'PT0S', idleTimeout: null },
      'd',
    );
    expect(ok.ok && ok.pipeline.config).toMatchObject({ windowSizeMs: 1000, allowedLatenessMs: 0, idleTimeoutMs: 0 });
    const off = compilePipeline({ idleTimeout: 'PT0S' }, 'd');
    expect(off.ok && off.pipeline.config.idleTimeoutMs).toBe(0);
  });

  it('refuses non-zero durations below PT1S, however they are written, naming the field', () => {
    const tiny = issuesOf(
      { window: { type: 'hopping', size: 'PT1S', hop: 'PT0.5S' }, lateness: 'PT0.999S', idleTimeout: 'PT0.0001S' },
      'd',
    );
    expect(issuesOf({ window: { type: 'tumbling', size: 'PT0.0001S' } }, 'd')['window.size']).toBe(
      'window.size: expected a duration between PT1S and P31D; found string "PT0.0001S"',
    );
    expect(tiny['window.hop']).toBe('window.hop: expected a duration between PT1S and P31D; found string "PT0.5S"');
    expect(tiny['lateness']).toBe(
      'lateness: expected a duration between PT1S and P31D, or "PT0S"; found string "PT0.999S"',
    );
    expect(tiny['idleTimeout']).toBe(
      'idleTimeout: expected an ISO 8601 duration like "PT2M" (from PT1S to P31D), or "PT0S" or null to disable it; found string "PT0.0001S"',
    );
    const edge = compilePipeline(
      { window: { type: 'hopping', size: 'PT2S', hop: 'PT1S' }, lateness: 'PT1S', idleTimeout: 'PT1S' },
      'd',
    );
    expect(edge.ok && edge.pipeline.config).toMatchObject({
      windowSizeMs: 2000,
      hopMs: 1000,
      allowedLatenessMs: 1000,
      idleTimeoutMs: 1000,
    });
    const off = compilePipeline({ lateness: 'PT0S', idleTimeout: 'PT0S' }, 'd');
    expect(off.ok && off.pipeline.config.idleTimeoutMs).toBe(0);
    const day = compilePipeline({ window: { type: 'tumbling', size: 'P1D' } }, 'd');
    expect(day.ok && day.pipeline.config.windowSizeMs).toBe(86_400_000);
  });

  it('rejects invalid expressions naming the field and giving the library message and position', () => {
    const bad = issuesOf(
      {
        filter: 'distance >',
        key: 'origin +',
        match: 'foo(1)',
        measures: { delay: 'delay * ', ok: 'delay', label: '"x"' },
      },
      'e',
    );
    expect(bad['filter']).toBe(
      'filter: expected a valid boolean filter CEL expression: Unexpected token: EOF (at position 10); found string "distance >"',
    );
    expect(bad['key']).toMatch(
      /^key: expected a valid stream key CEL expression: Unexpected token: EOF \(at position 8\)/,
    );
    expect(bad['match']).toMatch(
      /^match: expected a valid boolean match CEL expression: found no matching overload for 'foo\(int\)'/,
    );
    expect(bad['measures.delay']).toMatch(
      /^measures.delay: expected a valid numeric measure CEL expression: Unexpected token: EOF/,
    );
    expect(bad['measures.label']).toMatch(
      /^measures.label: expected a valid numeric measure CEL expression: expected a numeric \(int or double\) result, found type string/,
    );
    expect(bad['measures.ok']).toBeUndefined();
    expect(issuesOf({ filter: 'origin.matches("L.*")' }, 'e')['filter']).toMatch(/matches\(\) is not available/);
    expect(issuesOf({ time: 'date + 1' }, 'e')['time']).toMatch(
      /^time: expected a field path like "time" or "meta.ts"/,
    );
  });

  it('names unknown fields, the old field names among them, and checks the name', () => {
    expect(issuesOf({ streamKey: 'stream', allowedLateness: '30s' }, 'n')['(root)']).toBe(
      '(root): unknown field(s) "streamKey", "allowedLateness"; expected only name, description, match, key, time, filter, measures, aggregates, window, lateness, corrections, retention, sketchAccuracy, idleTimeout',
    );
    expect(issuesOf({ name: 'other' }, 'temps')['name']).toBe(
      'name: expected the pipeline\'s name, "temps", or no name; found string "other"',
    );
    expect(issuesOf({})['name']).toBe(
      'name: expected a pipeline name (in the definition or from where it is stored); found nothing',
    );
    expect(issuesOf({ name: 'no spaces' })['name']).toMatch(/expected a url-safe name.*found string "no spaces"/);
    expect(issuesOf({}, 'no spaces')['name']).toMatch(/expected a url-safe name.*found string "no spaces"/);
    expect(parsePipeline({ name: 'temps' }, 'temps').ok).toBe(true);
    expect(issuesOf({ retention: 0, measures: { '1x': 'value' } }, 'n')['retention']).toMatch(/found number 0/);
  });

  const duration = (minMs: number, maxMs: number) => fc.integer({ min: minMs, max: maxMs }).map(formatDuration);
  const definition: fc.Arbitrary<Record<string, unknown>> = fc.record(
    {
      description: fc.string({ maxLength: 20 }),
      match: fc.constantFrom('kind == "flight"', 'size(origin) == 3', 'true'),
      key: fc.constantFrom('stream', 'origin', 'origin + "-" + destination', 'meta.id'),
      time: fc.constantFrom('time', 'date', 'meta.ts'),
      filter: fc.constantFrom('distance > 100', 'delay * 2 < distance', 'has(meta.x) || delay >= 0'),
      measures: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
        fc.constantFrom('delay', 'delay * 2', 'distance / 1.6', 'a.b'),
        { minKeys: 1, maxKeys: 5 },
      ),
      window: fc.oneof(
        duration(1000, 86_400_000).map((size) => ({ type: 'tumbling', size })),
        fc.tuple(fc.integer({ min: 100_000, max: 86_400_000 }), fc.integer({ min: 1, max: 100 })).map(([size, n]) => ({
          type: 'hopping',
          size: formatDuration(size),
          hop: formatDuration(Math.ceil(size / n)),
        })),
      ),
      lateness: fc.oneof(fc.constant('PT0S'), duration(1000, 86_400_000)),
      retention: fc.integer({ min: 1, max: 10_000 }),
      sketchAccuracy: fc.double({ min: 0.0001, max: 0.1, noNaN: true }),
      idleTimeout: fc.oneof(fc.constant(null), fc.constant('PT0S'), duration(1000, 86_400_000)),
    },
    { requiredKeys: [] },
  );

  it('round-trips: any valid definition parses, and its parsed form parses to itself', () => {
    fc.assert(
      fc.property(definition, (input) => {
        const first = parsePipeline(input, 'p');
        if (!first.ok) throw new Error(JSON.stringify(first.issues));
        const again = parsePipeline(JSON.parse(JSON.stringify(first.pipeline)) as PipelineDefinition, 'p');
        expect(again).toEqual(first);
        expect(first.pipeline).toMatchObject(input);
        expect(compilePipeline(first.pipeline).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
