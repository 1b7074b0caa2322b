import fc from 'fast-check';

import { celEnvironment } from './celEnvironment';
import { compileExpression } from './compileExpression';
import { NOT_ANSWERED, numericFastPath } from './numericFastPath';

/** cel-js on its own (the general path without Streamfold's fast path): the value, or 'error'. */
function general(text: string, payload: Record<string, unknown>): unknown {
  try {
    const v: unknown = celEnvironment().parse(text)(payload);
    return typeof v === 'bigint' ? Number(v) : v;
  } catch {
    return 'error';
  }
}

function fastOf(text: string) {
  const fast = numericFastPath(celEnvironment().parse(text).ast);
  if (fast === undefined) throw new Error(`expected a fast path for ${JSON.stringify(text)}, found none`);
  return fast;
}

const FIELDS = ['a', 'b', 'delay', 'm.x'];
const number = fc.oneof(
  fc.double({ noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 1, 0.5, 1e308, -1e308, 5e-324, 2 ** 53, -(2 ** 53) - 2),
);
const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('0', '1.609', '0.0', '1e308', '9007199254740992', '2.5e-3'),
);
/** Numeric expressions in the fast path's grammar, with at least one field in every binary arithmetic or comparison. */
const numeric: fc.Arbitrary<string> = fc.letrec<{ num: string; field: string }>((tie) => ({
  field: fc.constantFrom(...FIELDS),
  num: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('field'),
    fc
      .tuple(tie('num'), fc.constantFrom('+', '-', '*', '/'), fc.oneof(tie('num'), literal))
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(literal, fc.constantFrom('+', '-', '*', '/'), tie('field')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('field').map((f) => `-${f}`),
  ),
})).num;
const comparison = fc
  .tuple(numeric, fc.constantFrom('<', '<=', '>', '>='), fc.oneof(numeric, literal))
  .map(([l, op, r]) => `${l} ${op} ${r}`);
const boolean = fc.oneof(
  comparison,
  fc.tuple(comparison, fc.constantFrom('&&', '||'), comparison).map(([l, op, r]) => `(${l}) ${op} (${r})`),
  comparison.map((c) => `!(${c})`),
);
/** Events holding numbers, and sometimes a missing field or a value of another type (the fast path must not answer). */
const value = fc.oneof(
  { weight: 8, arbitrary: number },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('7', null, true, [1], { x: 1 }) },
);
const payload = fc.record(
  { a: value, b: value, delay: value, m: fc.oneof(fc.record({ x: value }, { requiredKeys: [] }), value) },
  { requiredKeys: [] },
);

describe('numericFastPath: the same answer as cel-js wherever it answers', () => {
  it('equals cel-js on numeric expressions (property)', () => {
    fc.assert(
      fc.property(fc.oneof(numeric, boolean), payload, (text, event) => {
        const fast = fastOf(text)(event);
        const expected = general(text, event);
        if (fast === NOT_ANSWERED) return;
        expect(Object.is(fast, expected) ? fast : { fast, expected }).toBe(fast);
        // And through compileExpression, as processBatch calls it.
        const compiled = compileExpression(text, typeof fast === 'boolean' ? 'boolean' : 'number');
        if (!compiled.ok)
          throw new Error(`expected ${JSON.stringify(text)} to compile, found ${compiled.error.message}`);
        expect(compiled.expression.evaluate(event)).toEqual({ ok: true, value: fast });
      }),
      { numRuns: 3000 },
    );
  });

  it('equals cel-js on field-op-literal and literal-op-field, the shapes with one direct closure (property)', () => {
    const simple = fc
      .tuple(fc.constantFrom('a', 'delay', 'm.x'), fc.constantFrom('+', '-', '*', '/', '<', '<=', '>', '>='), literal)
      .chain(([f, op, l]) => fc.constantFrom(`${f} ${op} ${l}`, `${l} ${op} ${f}`));
    fc.assert(
      fc.property(simple, payload, (text, event) => {
        const fast = fastOf(text)(event);
        if (fast === NOT_ANSWERED) return;
        const expected = general(text, event);
        expect(Object.is(fast, expected) ? fast : { fast, expected }).toBe(fast);
        const compiled = compileExpression(text, typeof fast === 'boolean' ? 'boolean' : 'number');
        if (!compiled.ok) throw new Error(compiled.error.message);
        expect(compiled.expression.fast?.(event)).toBe(fast);
      }),
      { numRuns: 2000 },
    );
    expect(fastOf('distance > 100')({ distance: 'far' })).toBe(NOT_ANSWERED);
    expect(fastOf('100 < distance')({})).toBe(NOT_ANSWERED);
    expect(fastOf('1.609 * distance')({ distance: 1000 })).toBe(1609);
  });

  it('answers whenever every field is a number, and never when one is missing or not a number', () => {
    const fast = fastOf('(a + b.c) / 2 >= 3 && !(delay < 0)');
    expect(fast({ a: 4, b: { c: 2 }, delay: 1 })).toBe(true);
    expect(fast({ a: 1, b: { c: 2 }, delay: 1 })).toBe(false);
    expect(fast({ a: 4, b: { c: 2 } })).toBe(NOT_ANSWERED);
    expect(fast({ a: '4', b: { c: 2 }, delay: 1 })).toBe(NOT_ANSWERED);
    expect(fast({ a: 4, b: { c: null }, delay: 1 })).toBe(NOT_ANSWERED);
    expect(fastOf('delay * 60')({ delay: 1.5 })).toBe(90);
    expect(fastOf('distance * 1.609')({ distance: 1000 })).toBe(1609);
  });

  it('keeps the general path verdicts when it does not answer (missing field, wrong type)', () => {
    const filter = compileExpression('distance > 100', 'boolean');
    if (!filter.ok) throw new Error(filter.error.message);
    expect(filter.expression.evaluate({})).toMatchObject({ ok: false, error: { missingField: true } });
    expect(filter.expression.evaluate({ distance: 'far' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no such overload/) },
    });
    expect(filter.expression.evaluate({ distance: null })).toMatchObject({ ok: false });
  });

  it('has no fast path for what it does not model exactly', () => {
    for (const text of [
      'a % 2 == 0',
      'a == 1',
      'a != 1',
      '1 + 2 > a',
      'a > 1 ? 1.0 : 2.0',
      'size(s) > 0',
      'xs.all(x, x > 0)',
      'a * 9223372036854775807 > 0',
      'constructor > 1',
      'm.toString > 1',
      '1 < 2',
      's + "x"',
    ]) {
      expect([text, numericFastPath(celEnvironment().parse(text).ast)]).toEqual([text, undefined]);
    }
  });
});
