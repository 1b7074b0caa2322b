import fc from 'fast-check';

import { compileExpression } from './compile';

function run(text: string, event: unknown = {}) {
  const c = compileExpression(text);
  if (!c.ok) throw new Error(`compile failed: ${c.error.message}`);
  return c.evaluate(event);
}

const valueOf = (text: string, event: unknown = {}) => {
  const r = run(text, event);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('compileExpression', () => {
  const event = { stream: 'sensor-1', value: 21.5, unit: 'C', meta: { tags: ['a', 'b'], 'x y': 3 }, flag: true };

  it('reads field paths: dotted, quoted, indexed and the root', () => {
    expect(valueOf('meta.tags[1]', event)).toBe('b');
    expect(valueOf('meta["x y"] * 2', event)).toBe(6);
    expect(valueOf("$['unit']", event)).toBe('C');
    expect(valueOf('missing.deep.path', event)).toBeNull();
  });

  it('follows precedence and associativity', () => {
    expect(valueOf('1 + 2 * 3')).toBe(7);
    expect(valueOf('(1 + 2) * 3')).toBe(9);
    expect(valueOf('10 - 4 - 3')).toBe(3);
    expect(valueOf('-2 * -3')).toBe(6);
    expect(valueOf('true ? 1 : false ? 2 : 3')).toBe(1);
    expect(valueOf('false ? 1 : false ? 2 : 3')).toBe(3);
    expect(valueOf('1 < 2 && 3 >= 3 || false')).toBe(true);
    expect(valueOf('!(1 == 1)')).toBe(false);
  });

  it('provides the documented functions', () => {
    expect(valueOf('abs(-2) + min(3, 1, 2) + max(1, 5) + round(2.5) + floor(1.9) + ceil(1.1)')).toBe(2 + 1 + 5 + 3 + 1 + 2);
    expect(valueOf('round(3.14159, 2)')).toBe(3.14);
    expect(valueOf('sqrt(16) + pow(2, 10) + log(exp(2))')).toBeCloseTo(4 + 1024 + 2);
    expect(valueOf('len(unit) + len(meta.tags)', event)).toBe(3);
    expect(valueOf('upper(lower("AbC"))')).toBe('ABC');
    expect(valueOf('contains(stream, "sor") && startsWith(stream, "sen") && endsWith(stream, "-1")', event)).toBe(true);
    expect(valueOf('contains(meta.tags, "b")', event)).toBe(true);
    expect(valueOf('coalesce(nothing, other, 7)', event)).toBe(7);
    expect(valueOf('exists(unit) && !exists(nothing)', event)).toBe(true);
    expect(valueOf('number("2.5") + number(flag)', event)).toBe(3.5);
    expect(valueOf('string(value) + unit', event)).toBe('21.5C');
  });

  it('returns evaluation errors as values naming what was expected and found', () => {
    const r = run('unit * 2', event);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/expected two numbers, found string "C" and number 2/);
    const div = run('1 / 0');
    expect(div.ok).toBe(false);
    const bool = run('value && true', event);
    expect(bool.ok).toBe(false);
    if (!bool.ok) expect(bool.error.message).toMatch(/expected a boolean, found number 21.5/);
  });

  it('reports syntax errors with positions and never touches the prototype chain', () => {
    const bad = compileExpression('value + * 2');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.position).toBe(8);
    const unknown = compileExpression('foo(1)');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toMatch(/unknown function 'foo'/);
    const arity = compileExpression('abs(1, 2)');
    expect(arity.ok).toBe(false);
    expect(valueOf('constructor', {})).toBeNull();
    expect(valueOf('a.__proto__', { a: {} })).toBeNull();
    expect(compileExpression('('.repeat(500) + '1' + ')'.repeat(500)).ok).toBe(false);
  });

  it('never throws while compiling or evaluating arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.jsonValue(), (text, event) => {
        const c = compileExpression(text);
        if (c.ok) c.evaluate(event);
      }),
      { numRuns: 2000 },
    );
    const alphabet = fc.constantFrom(...'ab1.()[]"\'+-*/%<>=!&|?:, $e'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (chars) => {
        const c = compileExpression(chars.join(''));
        if (c.ok) c.evaluate({ a: 1, b: [2] });
      }),
      { numRuns: 3000 },
    );
  });

  type Ast = { text: string; js: () => number };
  const arithmetic: fc.Arbitrary<Ast> = fc.letrec<{ node: Ast }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -1000, max: 1000 }).map((n) => ({ text: n < 0 ? `(${n})` : String(n), js: () => n })),
      fc.tuple(tie('node'), fc.constantFrom('+', '-', '*', '/', '%'), tie('node')).map(([l, op, r]) => ({
        text: `(${l.text} ${op} ${r.text})`,
        js: () => {
          const a = l.js();
          const b = r.js();
          switch (op) {
            case '+':
              return a + b;
            case '-':
              return a - b;
            case '*':
              return a * b;
            case '/':
              return a / b;
            default:
              return a % b;
          }
        },
      })),
      tie('node').map((n) => ({ text: `-${n.text}`, js: () => -n.js() })),
    ),
  })).node;

  it('agrees with JavaScript arithmetic on generated expressions (non-finite results become errors)', () => {
    fc.assert(
      fc.property(arithmetic, (ast) => {
        const expected = ast.js();
        const r = run(ast.text);
        // An intermediate Infinity/NaN makes the whole expression an error, even if JS would recover.
        if (r.ok) expect(r.value).toBe(expected);
        else expect(Number.isFinite(expected) && !/not a finite/.test(r.error.message)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
