import fc from 'fast-check';

import { MAX_EXPRESSION_LENGTH } from './celEnvironment';
import { compileExpression, type ExpressionRole } from './compileExpression';

function compiled(text: string, role: ExpressionRole = 'number') {
  const c = compileExpression(text, role);
  if (!c.ok) throw new Error(`compile failed: ${c.error.message}`);
  return c.expression;
}

const valueOf = (text: string, payload: Record<string, unknown> = {}, role: ExpressionRole = 'number') => {
  const r = compiled(text, role).evaluate(payload);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const errorOf = (text: string, payload: Record<string, unknown> = {}, role: ExpressionRole = 'number') => {
  const r = compiled(text, role).evaluate(payload);
  if (r.ok) throw new Error(`expected an error, found ${String(r.value)}`);
  return r.error.message;
};

const compileError = (text: string, role: ExpressionRole = 'number') => {
  const c = compileExpression(text, role);
  if (c.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  return c.error;
};

describe('compileExpression (CEL)', () => {
  const flight = {
    date: '2001-01-01T00:01:00Z',
    delay: 33,
    distance: 2176,
    origin: 'LAS',
    destination: 'PHL',
    meta: { gate: 'B2', tags: ['a', 'b'] },
  };

  it('evaluates the flights pipeline: a filter and two measures', () => {
    expect(valueOf('distance > 100', flight, 'boolean')).toBe(true);
    expect(valueOf('distance > 100', { ...flight, distance: 90 }, 'boolean')).toBe(false);
    expect(valueOf('delay', flight)).toBe(33);
    expect(valueOf('distance', flight)).toBe(2176);
  });

  it('reads bare field paths directly: own properties only, null when missing', () => {
    const path = compiled('meta.gate', 'key');
    expect(path.fieldPath).toEqual(['meta', 'gate']);
    expect(path.evaluate(flight)).toEqual({ ok: true, value: 'B2' });
    expect(valueOf('missing', flight)).toBeNull();
    expect(valueOf('meta.missing.deeper', flight)).toBeNull();
    expect(valueOf('origin.length', flight)).toBeNull();
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(valueOf(name, flight)).toBeNull();
      expect(valueOf(`meta.${name}`, flight)).toBeNull();
    }
  });

  it('mixes int literals with JSON numbers (doubles) in arithmetic, and returns CEL ints as numbers', () => {
    expect(valueOf('delay * 2', flight)).toBe(66);
    expect(valueOf('2 * delay + 1', flight)).toBe(67);
    expect(valueOf('delay / 2 - 1.5', flight)).toBe(15);
    expect(valueOf('distance > 100 ? 1 : 0', flight)).toBe(1);
    expect(valueOf('size(origin)', flight)).toBe(3);
    expect(valueOf('origin + "-" + destination', flight, 'key')).toBe('LAS-PHL');
    expect(valueOf('meta.tags.exists(t, t == "b") && origin.startsWith("L")', flight, 'boolean')).toBe(true);
    expect(valueOf('has(meta.gate) && !has(meta.door)', flight, 'boolean')).toBe(true);
    expect(valueOf('double("2.5") + 1', flight)).toBe(3.5);
  });

  it('returns evaluation errors as values with a position: missing fields, wrong types', () => {
    expect(errorOf('missing * 2', flight)).toBe('Unknown variable: missing (at position 0)');
    expect(errorOf('meta.door == "x"', flight, 'boolean')).toMatch(/No such key: door \(at position 5\)/);
    expect(errorOf('origin > 3', flight, 'boolean')).toMatch(/no such overload: dyn<string> > int/);
    expect(errorOf('1 / (delay - delay) > 0 && int(delay) / 0 == 1', flight, 'boolean')).toMatch(/division by zero/);
  });

  it('never reaches prototypes or globals from CEL either', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'globalThis', 'process', 'require']) {
      expect(errorOf(`${name} == 1`, flight, 'boolean')).toBe(`Unknown variable: ${name} (at position 0)`);
      expect(errorOf(`meta.${name} == 1`, flight, 'boolean')).toMatch(new RegExp(`No such key: ${name}`));
      expect(errorOf(`meta["${name}"] == 1`, flight, 'boolean')).toMatch(new RegExp(`No such key: ${name}`));
    }
    expect(errorOf('meta.tags["length"] == 2', flight, 'boolean')).toMatch(/No such key: length|no such overload/);
    expect(compileError('__proto__ == 1', 'boolean').message).toMatch(/Reserved identifier: __proto__/);
    // A JSON key named __proto__ is an own property of the parsed object, nothing more.
    const own = JSON.parse('{"__proto__": {"x": 1}, "n": 2}') as Record<string, unknown>;
    expect(valueOf('n * 2', own)).toBe(4);
  });

  it('rejects invalid text at definition time with the library message and position', () => {
    expect(compileError('distance >')).toEqual({ message: 'Unexpected token: EOF (at position 10)', position: 10 });
    expect(compileError('foo(delay)').message).toMatch(/found no matching overload for 'foo\(dyn\)'/);
    expect(compileError('1 + "a"').message).toMatch(/no such overload: int \+ string/);
    expect(compileError('"text"').message).toBe('expected a numeric (int or double) result, found type string');
    expect(compileError('1 + 2', 'boolean').message).toBe('expected a boolean (bool) result, found type int');
    // dyn results are only known per event; processBatch checks them there.
    expect(compileExpression('delay + 1', 'boolean').ok).toBe(true);
    expect(compileError('[1, 2]', 'key').message).toMatch(/expected a string or number result, found type list/);
  });

  it('bounds the cost: length, AST size and depth, no matches(), no nested comprehensions', () => {
    expect(compileError('a'.repeat(MAX_EXPRESSION_LENGTH + 1)).message).toMatch(
      /expected at most 1024 characters, found 1025/,
    );
    expect(compileExpression(Array.from({ length: 300 }, () => 'delay').join(' + '), 'number').ok).toBe(false);
    expect(compileExpression('('.repeat(100) + 'delay' + ')'.repeat(100), 'number').ok).toBe(false);
    expect(compileError('origin.matches("(a+)+$")', 'boolean').message).toMatch(/matches\(\) is not available/);
    expect(compileError('matches(origin, "a")', 'boolean').message).toMatch(/matches\(\) is not available/);
    expect(compileError('meta.tags.all(a, meta.tags.exists(b, a == b))', 'boolean')).toEqual({
      message: expect.stringMatching(/exists\(\) inside another comprehension/),
      position: 17,
    });
    expect(valueOf('meta.tags.filter(t, t != "a").size() + meta.tags.map(t, t == "a" ? 1 : 2).size()', flight)).toBe(3);
  });

  it('refuses string or list concatenation inside a comprehension body, naming the rule', () => {
    const quadratic = compileError('size(xs.map(x, xs + [x])) > 0', 'boolean');
    expect(quadratic.message).toMatch(/concatenation \(\+\) inside a comprehension body is not allowed/);
    expect(quadratic.position).toBe(15);
    expect(compileError('meta.tags.exists(t, t + "!" == "a!")', 'boolean').message).toMatch(/concatenation/);
    expect(compileError('xs.all(x, size([x] + [x]) == 2)', 'boolean').message).toMatch(/concatenation/);
    // Arithmetic on event numbers inside a body, and concatenation outside one, stay allowed.
    expect(valueOf('xs.map(x, x + 1).size() + size(origin + "-" + destination)', { ...flight, xs: [1, 2] })).toBe(9);
  });

  it('registers % for JSON numbers (doubles with whole values) and int/double mixes', () => {
    expect(valueOf('value % 2 == 0', { value: 4 }, 'boolean')).toBe(true);
    expect(valueOf('value % 2 == 0', { value: 7 }, 'boolean')).toBe(false);
    expect(valueOf('value % 3', { value: -7 })).toBe(-1);
    expect(valueOf('7 % value', { value: 4 })).toBe(3);
    expect(valueOf('value % other', { value: 9, other: 4 })).toBe(1);
    expect(valueOf('7 % 4')).toBe(3);
    expect(errorOf('value % 2 == 0', { value: 2.5 }, 'boolean')).toBe(
      '% expects whole numbers, found 2.5 % 2 (at position 0)',
    );
    expect(errorOf('x > 1 && value % 2 == 0', { x: 2, value: 2.5 }, 'boolean')).toBe(
      '% expects whole numbers, found 2.5 % 2 (at position 9)',
    );
    expect(errorOf('value % 0 == 0', { value: 4 }, 'boolean')).toMatch(/modulus by zero/);
  });

  it('marks errors caused by a field the event lacks (SQL NULL), and only those', () => {
    const missing = compiled('distance > 100', 'boolean').evaluate({ value: 1 });
    expect(missing).toEqual({
      ok: false,
      error: { message: 'Unknown variable: distance (at position 0)', position: 0, missingField: true },
    });
    const nested = compiled('meta.door == "x"', 'boolean').evaluate(flight);
    expect(!nested.ok && nested.error.missingField).toBe(true);
    const typeError = compiled('origin > 3', 'boolean').evaluate(flight);
    expect(!typeError.ok && typeError.error.missingField).toBeUndefined();
  });

  it('never throws while compiling or evaluating arbitrary text against arbitrary events', () => {
    const payload = fc.dictionary(
      fc.constantFrom('a', 'b', 'delay', 'constructor', 'x'),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        payload,
        fc.constantFrom<ExpressionRole>('boolean', 'number', 'key'),
        (text, event, role) => {
          const c = compileExpression(text, role);
          if (c.ok) c.expression.evaluate(event);
        },
      ),
      { numRuns: 1000 },
    );
    const alphabet = fc.constantFrom(...'ab1.()[]"\'+-*/%<>=!&|?:, $e'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const c = compileExpression(chars.join(''), 'number');
        if (c.ok) c.expression.evaluate({ a: 1, b: [2] });
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JavaScript on generated double arithmetic', () => {
    const leaf = fc.integer({ min: 1, max: 1000 }).map((n) => ({ text: `${n}.0`, js: n }));
    const expr = fc.letrec<{ node: { text: string; js: number } }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.tuple(tie('node'), fc.constantFrom('+', '-', '*'), tie('node')).map(([l, op, r]) => ({
          text: `(${l.text} ${op} ${r.text})`,
          js: op === '+' ? l.js + r.js : op === '-' ? l.js - r.js : l.js * r.js,
        })),
      ),
    })).node;
    fc.assert(
      fc.property(expr, (e) => {
        const c = compileExpression(e.text, 'number');
        // Deep generated trees can exceed the AST limits; those are rejected, never wrong.
        if (c.ok) expect(c.expression.evaluate({})).toEqual({ ok: true, value: e.js });
      }),
      { numRuns: 300 },
    );
  });
});
