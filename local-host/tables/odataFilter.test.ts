import { odata } from '@azure/data-tables';
import fc from 'fast-check';

import { compareText, type EdmValue } from './edm';
import { evaluateFilter, FilterSyntaxError, keyRanges, parseFilter } from './odataFilter';

const reader =
  (props: Record<string, EdmValue>) =>
  (name: string): EdmValue | undefined =>
    props[name];
const str = (value: string): EdmValue => ({ type: 'String', value });

describe('parseFilter', () => {
  it('parses what the SDK odata template emits: quotes doubled, dates as datetime literals, numbers', () => {
    const text = odata`PartitionKey eq ${"it's"} and Timestamp lt ${new Date('2024-05-01T10:00:00Z')} and n ge ${1714557600000} and d gt ${1.5}`;
    expect(parseFilter(text)).toEqual({
      kind: 'and',
      left: {
        kind: 'and',
        left: {
          kind: 'and',
          left: { kind: 'compare', op: 'eq', property: 'PartitionKey', literal: str("it's") },
          right: {
            kind: 'compare',
            op: 'lt',
            property: 'Timestamp',
            literal: { type: 'DateTime', value: '2024-05-01T10:00:00.0000000Z' },
          },
        },
        right: { kind: 'compare', op: 'ge', property: 'n', literal: { type: 'Int64', value: 1714557600000n } },
      },
      right: { kind: 'compare', op: 'gt', property: 'd', literal: { type: 'Double', value: 1.5 } },
    });
  });

  it('gives and precedence over or, honours parentheses and not, and flips literal-first comparisons', () => {
    const t = parseFilter('a eq 1 or b eq 2 and not (c eq 3 or 4 lt d)');
    expect(t).toMatchObject({
      kind: 'or',
      left: { kind: 'compare', property: 'a' },
      right: {
        kind: 'and',
        right: { kind: 'not', operand: { kind: 'or', right: { kind: 'compare', op: 'gt', property: 'd' } } },
      },
    });
  });

  it('reads typed literals: Int64 with L, guid, binary, booleans', () => {
    expect(parseFilter('x eq 5L')).toMatchObject({ literal: { type: 'Int64', value: 5n } });
    expect(parseFilter("g eq guid'AB-CD'")).toMatchObject({ literal: { type: 'Guid', value: 'ab-cd' } });
    expect(parseFilter("b eq X'0aff'")).toMatchObject({
      literal: { type: 'Binary', value: Buffer.from([10, 255]).toString('base64') },
    });
    expect(parseFilter('f eq true')).toMatchObject({ literal: { type: 'Boolean', value: true } });
    expect(parseFilter('x eq -7')).toMatchObject({ literal: { type: 'Int32', value: -7 } });
  });

  it('rejects malformed filters saying what was expected where', () => {
    expect(() => parseFilter("a eq 'open")).toThrow(FilterSyntaxError);
    expect(() => parseFilter("a eq 'open")).toThrow(/expected a closing quote/);
    expect(() => parseFilter('a foo 1')).toThrow(/expected a comparison operator .* found "foo 1"/);
    expect(() => parseFilter('(a eq 1')).toThrow(/expected "\)" at position 7, found the end/);
    expect(() => parseFilter('a eq 1 b')).toThrow(/expected "and", "or" or the end/);
    expect(() => parseFilter("t eq datetime'yesterday'")).toThrow(/expected an ISO 8601 UTC date-time/);
    expect(() => parseFilter('a eq b')).toThrow(/expected a property compared with a literal/);
  });
});

describe('evaluateFilter', () => {
  it('compares numbers across Int32, Int64 and Double; other kinds never match each other', () => {
    const row = reader({ n: { type: 'Double', value: 1714557600000 }, s: str('10'), i: { type: 'Int64', value: 5n } });
    expect(evaluateFilter(parseFilter('n ge 1714557600000'), row)).toBe(true);
    expect(evaluateFilter(parseFilter('i lt 6'), row)).toBe(true);
    expect(evaluateFilter(parseFilter('i eq 5.0'), row)).toBe(true);
    expect(evaluateFilter(parseFilter('s eq 10'), row)).toBe(false);
    expect(evaluateFilter(parseFilter('s ne 10'), row)).toBe(false);
  });

  it('treats a missing property as no match for any comparison (ne included)', () => {
    expect(evaluateFilter(parseFilter("missing ne 'x'"), reader({}))).toBe(false);
    expect(evaluateFilter(parseFilter("not (missing eq 'x')"), reader({}))).toBe(true);
  });

  it('compares date-times to 100 ns', () => {
    const row = reader({ Timestamp: { type: 'DateTime', value: '2024-05-01T10:00:00.0000001Z' } });
    expect(evaluateFilter(parseFilter("Timestamp gt datetime'2024-05-01T10:00:00Z'"), row)).toBe(true);
    expect(evaluateFilter(parseFilter("Timestamp lt datetime'2024-05-01T10:00:00.0000002Z'"), row)).toBe(true);
  });

  // Property: the parsed filter agrees with a direct evaluation of the same random expression tree.
  type Expr =
    | { op: 'and' | 'or'; l: Expr; r: Expr }
    | { op: 'not'; e: Expr }
    | {
        op: 'cmp';
        cmp: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
        prop: 'a' | 'b' | 'PartitionKey';
        value: number | string;
      };
  const leaf = fc.record({
    op: fc.constant('cmp' as const),
    cmp: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'ge' as const, 'lt' as const, 'le' as const),
    prop: fc.constantFrom('a' as const, 'b' as const, 'PartitionKey' as const),
    value: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 })),
  });
  const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const), l: tie('e'), r: tie('e') }),
      fc.record({ op: fc.constant('not' as const), e: tie('e') }),
    ),
  })).e;
  const toText = (e: Expr): string => {
    if (e.op === 'cmp')
      return typeof e.value === 'number'
        ? `${e.prop} ${e.cmp} ${e.value}`
        : `${e.prop} ${e.cmp} '${e.value.replace(/'/g, "''")}'`;
    if (e.op === 'not') return `not (${toText(e.e)})`;
    return `(${toText(e.l)}) ${e.op} (${toText(e.r)})`;
  };
  const direct = (e: Expr, row: Record<string, number | string>): boolean => {
    if (e.op === 'not') return !direct(e.e, row);
    if (e.op !== 'cmp')
      return e.op === 'and' ? direct(e.l, row) && direct(e.r, row) : direct(e.l, row) || direct(e.r, row);
    const v = row[e.prop];
    if (v === undefined || typeof v !== typeof e.value) return false;
    const c = typeof v === 'number' ? Math.sign(v - (e.value as number)) : compareText(v, e.value as string);
    return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[e.cmp];
  };
  const rowArb = fc.record(
    {
      a: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 })),
      b: fc.integer({ min: -5, max: 5 }),
      PartitionKey: fc.string({ maxLength: 3 }),
    },
    { requiredKeys: ['PartitionKey'] },
  );

  it('agrees with a direct evaluation of random filters (and/or/not, all comparisons, strings with quotes)', () => {
    fc.assert(
      fc.property(expr, rowArb, (e, row) => {
        const typed: Record<string, EdmValue> = {};
        for (const [k, v] of Object.entries(row))
          typed[k] = typeof v === 'number' ? { type: 'Int32', value: v } : str(v);
        expect(evaluateFilter(parseFilter(toText(e)), reader(typed))).toBe(
          direct(e, row as Record<string, number | string>),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('keyRanges', () => {
  it('narrows PartitionKey and RowKey by the top-level and only', () => {
    expect(keyRanges(parseFilter("PartitionKey eq 'p' and RowKey ge 'a' and RowKey lt 'b' and RowKey gt 'a'"))).toEqual(
      {
        PartitionKey: { eq: 'p' },
        RowKey: { low: { value: 'a', inclusive: false }, high: { value: 'b', inclusive: false } },
      },
    );
    expect(keyRanges(parseFilter("PartitionKey eq 'p' or RowKey ge 'a'"))).toEqual({ PartitionKey: {}, RowKey: {} });
    expect(keyRanges(parseFilter("'m' gt PartitionKey"))).toEqual({
      PartitionKey: { high: { value: 'm', inclusive: false } },
      RowKey: {},
    });
    expect(keyRanges(undefined)).toEqual({ PartitionKey: {}, RowKey: {} });
  });

  it('orders text by code point, as SQLite orders the keys it reads', () => {
    // U+FF5E sorts before U+1F600 by code point, after its UTF-16 surrogates by JS `<`.
    expect(compareText('\uff5e', '\u{1f600}')).toBe(-1);
    expect('\uff5e' < '\u{1f600}').toBe(false);
    expect(compareText('a', 'ab')).toBe(-1);
    expect(compareText('b', 'ab')).toBe(1);
  });
});
