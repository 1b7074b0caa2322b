import type { Node } from './ast';
import { BUILT_INS, describeValue, EvalFailure, finite, type Value } from './functions';
import { parse } from './parser';
import type { SyntaxError } from './tokenizer';

export type { Value } from './functions';

export interface ExpressionError {
  message: string;
  position: number;
}

export type EvalResult = { ok: true; value: Value } | { ok: false; error: ExpressionError };

export interface CompiledExpression {
  ok: true;
  /** The source text, kept for messages. */
  text: string;
  ast: Node;
  /** Never throws: type errors, missing functions' misuse and non-finite arithmetic come back as `{ ok: false }`. */
  evaluate(event: unknown): EvalResult;
}

export type CompileResult = CompiledExpression | { ok: false; error: SyntaxError };

type Evaluator = (event: unknown) => Value;

/**
 * Compiles expression text to a tree of closures (no eval, no `new Function`).
 * Missing fields evaluate to null; arithmetic needs numbers; `&&`, `||`, `!` and `?:` need booleans.
 */
export function compileExpression(text: string): CompileResult {
  const parsed = parse(text);
  if (!parsed.ok) return parsed;
  try {
    const run = build(parsed.ast);
    return {
      ok: true,
      text,
      ast: parsed.ast,
      evaluate(event: unknown): EvalResult {
        try {
          return { ok: true, value: run(event) };
        } catch (e) {
          if (e instanceof EvalFailure) return { ok: false, error: { message: `${e.message} at position ${e.position}`, position: e.position } };
          // Anything else (e.g. a stack overflow on a pathological event) is still a value, never a throw.
          return { ok: false, error: { message: `evaluation failed: ${e instanceof Error ? e.message : String(e)}`, position: 0 } };
        }
      },
    };
  } catch (e) {
    if (e instanceof EvalFailure) return { ok: false, error: { message: `${e.message} at position ${e.position}`, position: e.position } };
    throw e;
  }
}

const toValue = (v: unknown): Value => (v === undefined ? null : (v as Value));

function property(object: Value, key: string | number): Value {
  if (object === null || typeof object !== 'object') return null;
  if (Array.isArray(object)) return typeof key === 'number' ? toValue(object[key]) : null;
  // Own properties only: `__proto__` or `constructor` must not reach the prototype chain.
  return Object.prototype.hasOwnProperty.call(object, key) ? toValue((object as Record<string, unknown>)[key]) : null;
}

function boolOf(v: Value, what: string, position: number): boolean {
  if (typeof v !== 'boolean') throw new EvalFailure(`${what}: expected a boolean, found ${describeValue(v)}`, position);
  return v;
}

function build(node: Node): Evaluator {
  switch (node.type) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'root':
      return (event) => toValue(event);
    case 'field': {
      const name = node.name;
      return (event) => property(toValue(event), name);
    }
    case 'member': {
      const object = build(node.object);
      const name = node.name;
      return (event) => property(object(event), name);
    }
    case 'index': {
      const object = build(node.object);
      const index = build(node.index);
      const position = node.position;
      return (event) => {
        const key = index(event);
        if (typeof key === 'string') return property(object(event), key);
        if (typeof key === 'number' && Number.isInteger(key)) return property(object(event), key);
        throw new EvalFailure(`index: expected a string or integer, found ${describeValue(key)}`, position);
      };
    }
    case 'unary': {
      const operand = build(node.operand);
      const position = node.position;
      if (node.operator === '!') return (event) => !boolOf(operand(event), '!', position);
      return (event) => {
        const v = operand(event);
        if (typeof v !== 'number') throw new EvalFailure(`unary -: expected a number, found ${describeValue(v)}`, position);
        return -v;
      };
    }
    case 'logical': {
      const left = build(node.left);
      const right = build(node.right);
      const op = node.operator;
      const position = node.position;
      return op === '&&'
        ? (event) => boolOf(left(event), '&&', position) && boolOf(right(event), '&&', position)
        : (event) => boolOf(left(event), '||', position) || boolOf(right(event), '||', position);
    }
    case 'conditional': {
      const test = build(node.test);
      const consequent = build(node.consequent);
      const alternate = build(node.alternate);
      const position = node.position;
      return (event) => (boolOf(test(event), '?:', position) ? consequent(event) : alternate(event));
    }
    case 'call': {
      const fn = Object.prototype.hasOwnProperty.call(BUILT_INS, node.name) ? BUILT_INS[node.name] : undefined;
      if (fn === undefined) throw new EvalFailure(`unknown function '${node.name}': expected one of ${Object.keys(BUILT_INS).join(', ')}`, node.position);
      if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) {
        const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs}-${fn.maxArgs}`;
        throw new EvalFailure(`${node.name}: expected ${expected} argument(s), found ${node.args.length}`, node.position);
      }
      const args = node.args.map(build);
      const position = node.position;
      return (event) => fn.call(args.map((a) => a(event)), position);
    }
    case 'binary':
      return buildBinary(node.operator, build(node.left), build(node.right), node.position);
  }
}

function buildBinary(op: string, left: Evaluator, right: Evaluator, position: number): Evaluator {
  const numbers = (f: (a: number, b: number) => number) => (event: unknown) => {
    const a = left(event);
    const b = right(event);
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new EvalFailure(`${op}: expected two numbers, found ${describeValue(a)} and ${describeValue(b)}`, position);
    }
    return finite(op, f(a, b), position);
  };
  const ordered = (f: (a: number | string, b: number | string) => boolean) => (event: unknown) => {
    const a = left(event);
    const b = right(event);
    if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return f(a, b);
    throw new EvalFailure(`${op}: expected two numbers or two strings, found ${describeValue(a)} and ${describeValue(b)}`, position);
  };
  switch (op) {
    case '+':
      return (event) => {
        const a = left(event);
        const b = right(event);
        if (typeof a === 'number' && typeof b === 'number') return finite('+', a + b, position);
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        throw new EvalFailure(`+: expected two numbers or two strings, found ${describeValue(a)} and ${describeValue(b)}`, position);
      };
    case '-':
      return numbers((a, b) => a - b);
    case '*':
      return numbers((a, b) => a * b);
    case '/':
      return numbers((a, b) => a / b);
    case '%':
      return numbers((a, b) => a % b);
    case '<':
      return ordered((a, b) => a < b);
    case '<=':
      return ordered((a, b) => a <= b);
    case '>':
      return ordered((a, b) => a > b);
    case '>=':
      return ordered((a, b) => a >= b);
    case '==':
      return (event) => left(event) === right(event);
    default:
      return (event) => left(event) !== right(event);
  }
}
