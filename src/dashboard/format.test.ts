import { bucketCounts, errorsByField, fmtMs, fmtNumber, parseSamples, sortRows, stack } from './format';

describe('dashboard helpers', () => {
  it('formats numbers and durations with units', () => {
    expect(fmtNumber(1234)).toBe('1,234');
    expect(fmtNumber(2_500_000)).toBe('2.50 M');
    expect(fmtNumber(null)).toBe('–');
    expect(fmtNumber(0.256, 1)).toBe('0.26');
    expect(fmtMs(850)).toBe('850 ms');
    expect(fmtMs(1500)).toBe('1.5 s');
    expect(fmtMs(90_000)).toBe('1.5 min');
  });

  it('reads samples as a JSON array, NDJSON (bad lines kept raw) or CSV', () => {
    expect(parseSamples('[{"a":1},{"a":2}]')).toEqual({ format: 'json', events: [{ a: 1 }, { a: 2 }] });
    expect(parseSamples('{"a":1}\n{"a":\n{"b":2}')).toEqual({
      format: 'ndjson',
      events: [{ a: 1 }, '{"a":', { b: 2 }],
    });
    expect(parseSamples('stream,value\ns1,2.5\ns2,3')).toEqual({
      format: 'csv',
      events: [
        { stream: 's1', value: 2.5 },
        { stream: 's2', value: 3 },
      ],
    });
    expect(parseSamples('  ')).toEqual({ format: 'json', events: [] });
  });

  it('sorts numbers numerically, text alphabetically, nulls last', () => {
    const rows = [
      { n: 10, s: 'b' },
      { n: 9, s: 'a' },
      { n: null, s: 'c' },
    ];
    expect(sortRows(rows, (r) => r.n, false).map((r) => r.n)).toEqual([9, 10, null]);
    expect(sortRows(rows, (r) => r.n, true).map((r) => r.n)).toEqual([10, 9, null]);
    expect(sortRows(rows, (r) => r.s, true).map((r) => r.s)).toEqual(['c', 'b', 'a']);
  });

  it('puts each API field error beside its form field', () => {
    const m = errorsByField(
      [
        { field: 'window.size', message: 'bad size' },
        { field: 'measures.temp', message: 'bad measure' },
        { field: 'zzz', message: 'other' },
      ],
      ['window.size', 'measures', 'key'],
    );
    expect(Object.fromEntries(m)).toEqual({
      'window.size': ['bad size'],
      measures: ['bad measure'],
      '(definition)': ['other'],
    });
  });

  it('counts per time bucket and category, and stacks series', () => {
    const r = bucketCounts(
      [
        { t: 1000, c: 'x' },
        { t: 61_000, c: 'y' },
        { t: 62_000, c: 'x' },
      ],
      (i) => i.t,
      (i) => i.c,
      60_000,
    );
    expect(r).toEqual({
      buckets: [0, 60_000],
      categories: ['x', 'y'],
      counts: [
        [1, 1],
        [0, 1],
      ],
    });
    expect(
      stack([
        [1, 2],
        [3, 4],
        [0, 1],
      ]),
    ).toEqual([
      [1, 2],
      [4, 6],
      [4, 7],
    ]);
  });
});
