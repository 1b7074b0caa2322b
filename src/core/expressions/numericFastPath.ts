import type { ASTNode } from '@marcbachmann/cel-js';

import { fieldReader } from './fieldPath';

/** What a fast evaluator returns when it does not answer: the caller then runs the general (metered cel-js) path. */
export const NOT_ANSWERED: unique symbol = Symbol('not answered');

export type FastEvaluator = (payload: Record<string, unknown>) => number | boolean | typeof NOT_ANSWERED;

type Compiled =
  { type: 'int' | 'double'; f: (slots: number[]) => number } | { type: 'bool'; f: (slots: number[]) => boolean };

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * A direct evaluator for comprehension-free numeric expressions (`distance > 100`, `delay * 60`,
 * `(a + b.c) / 2 >= 3 && !(x < 0)`), or undefined for any other expression. It answers only when every field the
 * expression names is an own number property of the event, and then gives exactly cel-js's value (property-tested in
 * numericFastPath.test.ts); otherwise it returns NOT_ANSWERED and the general path runs, so errors, missing fields and
 * the cost budget keep their verdicts. Why skipping the meter changes no verdict: when it answers, every node is
 * evaluated at most once and yields a number or a boolean (size 0), so the metered cost would be the node count, at
 * most 256 (CEL_LIMITS.maxAstNodes), far below COST_LIMITS (docs/reference/expressions.md, "Cost budget").
 *
 * Accepted nodes: numeric literals (ints only within ±2^53, where CEL's int and a JS number agree), field reads
 * (`a`, `a.b`; no name Object.prototype has), unary `-`, `+ - * /` with at least one double operand (int-int
 * arithmetic has CEL's overflow checks; double-int is the environment's mixed overload, `a op Number(b)`),
 * `< <= > >=` with at least one double operand, `!`, `&&`, `||` on booleans. Not `%`, `==`, `!=`, `?:` or calls.
 */
export function numericFastPath(ast: ASTNode): FastEvaluator | undefined {
  const paths: string[][] = [];
  const slotOf = new Map<string, number>();
  const compile = (node: ASTNode): Compiled | undefined => {
    const { op } = node;
    if (op === 'value') {
      const v: unknown = node.args;
      if (typeof v === 'number') return { type: 'double', f: () => v };
      if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) {
        const n = Number(v);
        return { type: 'int', f: () => n };
      }
      return undefined;
    }
    if (op === 'id' || op === '.') {
      const path = fieldPathOf(node);
      if (path === undefined) return undefined;
      const key = path.join('.');
      let slot = slotOf.get(key);
      if (slot === undefined) {
        slot = paths.length;
        paths.push(path);
        slotOf.set(key, slot);
      }
      const s = slot;
      return { type: 'double', f: (slots) => slots[s] as number };
    }
    if (op === '-_') {
      const a = compile(node.args as ASTNode);
      if (a === undefined || a.type === 'bool') return undefined;
      const f = a.f;
      return { type: a.type, f: (slots) => -f(slots) };
    }
    if (op === '!_') {
      const a = compile(node.args as ASTNode);
      if (a === undefined || a.type !== 'bool') return undefined;
      const f = a.f;
      return { type: 'bool', f: (slots) => !f(slots) };
    }
    const [l, r] = node.args as unknown as [ASTNode, ASTNode];
    if (op === '&&' || op === '||') {
      const a = compile(l);
      const b = compile(r);
      if (a?.type !== 'bool' || b?.type !== 'bool') return undefined;
      const fa = a.f;
      const fb = b.f;
      return { type: 'bool', f: op === '&&' ? (slots) => fa(slots) && fb(slots) : (slots) => fa(slots) || fb(slots) };
    }
    const arithmetic = ARITHMETIC[op];
    const comparison = COMPARISON[op];
    if (arithmetic === undefined && comparison === undefined) return undefined;
    const a = compile(l);
    const b = compile(r);
    if (a === undefined || b === undefined || a.type === 'bool' || b.type === 'bool') return undefined;
    if (a.type === 'int' && b.type === 'int') return undefined;
    const fa = a.f;
    const fb = b.f;
    if (arithmetic !== undefined) return { type: 'double', f: (slots) => arithmetic(fa(slots), fb(slots)) };
    const compare = comparison as (a: number, b: number) => boolean;
    return { type: 'bool', f: (slots) => compare(fa(slots), fb(slots)) };
  };
  if (!hasOnlyKnownShape(ast)) return undefined;
  const simple = simpleBinary(ast);
  if (simple !== undefined) return simple;
  const root = compile(ast);
  if (root === undefined || paths.length === 0) return undefined;
  const readers = paths.map((p) => fieldReader(p));
  // One slot array per expression, reused: evaluation is synchronous and never re-entered.
  const slots = new Array<number>(readers.length).fill(0);
  const f = root.f;
  if (readers.length === 1) {
    const read = readers[0] as (payload: Record<string, unknown>) => unknown;
    return (payload) => {
      const v = read(payload);
      if (typeof v !== 'number') return NOT_ANSWERED;
      slots[0] = v;
      return f(slots);
    };
  }
  return (payload) => {
    for (let i = 0; i < readers.length; i++) {
      const v = (readers[i] as (payload: Record<string, unknown>) => unknown)(payload);
      if (typeof v !== 'number') return NOT_ANSWERED;
      slots[i] = v;
    }
    return f(slots);
  };
}

type Read = (payload: Record<string, unknown>) => unknown;

/**
 * `field op literal` and `literal op field` (`distance > 100`, `delay * 60`), the shapes most filters and unit
 * conversions take, as one closure per operator: the general form's closures over a slot array, one call per node,
 * cost about as much as reading the field. Same answers as the general form (both property-tested against cel-js).
 */
function simpleBinary(ast: ASTNode): FastEvaluator | undefined {
  const { op } = ast;
  if (!(op in ARITHMETIC) && !(op in COMPARISON)) return undefined;
  const [l, r] = ast.args as unknown as [ASTNode, ASTNode];
  const left = fieldPathOf(l);
  const right = fieldPathOf(r);
  const lc = literalOf(l);
  const rc = literalOf(r);
  if (left !== undefined && rc !== undefined) return fieldThenConstant(fieldReader(left), op, rc);
  if (lc !== undefined && right !== undefined) return constantThenField(lc, op, fieldReader(right));
  return undefined;
}

/** A numeric literal as numericFastPath's compile takes it (ints only within ±2^53), else undefined. */
function literalOf(node: ASTNode): number | undefined {
  if (node.op !== 'value') return undefined;
  const v: unknown = node.args;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n) return Number(v);
  return undefined;
}

function fieldThenConstant(read: Read, op: string, c: number): FastEvaluator | undefined {
  switch (op) {
    case '+':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v + c : NOT_ANSWERED;
      };
    case '-':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v - c : NOT_ANSWERED;
      };
    case '*':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v * c : NOT_ANSWERED;
      };
    case '/':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v / c : NOT_ANSWERED;
      };
    case '<':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v < c : NOT_ANSWERED;
      };
    case '<=':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v <= c : NOT_ANSWERED;
      };
    case '>':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v > c : NOT_ANSWERED;
      };
    case '>=':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? v >= c : NOT_ANSWERED;
      };
    default:
      return undefined;
  }
}

/** `c op x` as `x op' c` where IEEE 754 allows it exactly (+ and * commute; a comparison mirrors), so only - and / need their own closures. */
const MIRRORED: Record<string, string> = { '+': '+', '*': '*', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function constantThenField(c: number, op: string, read: Read): FastEvaluator | undefined {
  const mirrored = MIRRORED[op];
  if (mirrored !== undefined) return fieldThenConstant(read, mirrored, c);
  switch (op) {
    case '-':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? c - v : NOT_ANSWERED;
      };
    case '/':
      return (p) => {
        const v = read(p);
        return typeof v === 'number' ? c / v : NOT_ANSWERED;
      };
    default:
      return undefined;
  }
}

/** Binary nodes hold [left, right]; unary ones a node; anything else (calls, lists, maps, `?:`) is refused early. */
function hasOnlyKnownShape(ast: ASTNode): boolean {
  const { op } = ast;
  if (op === 'value' || op === 'id') return true;
  if (op === '.') return Array.isArray(ast.args) && typeof ast.args[1] === 'string';
  if (op === '-_' || op === '!_') return isNode(ast.args) && hasOnlyKnownShape(ast.args);
  if (op in ARITHMETIC || op in COMPARISON || op === '&&' || op === '||') {
    const args: unknown = ast.args;
    return (
      Array.isArray(args) &&
      args.length === 2 &&
      isNode(args[0]) &&
      isNode(args[1]) &&
      hasOnlyKnownShape(args[0]) &&
      hasOnlyKnownShape(args[1])
    );
  }
  return false;
}

const isNode = (v: unknown): v is ASTNode => v !== null && typeof v === 'object' && 'op' in v && 'args' in v;

/** `a` or `a.b.c` as segments; undefined for other receivers or for a name Object.prototype has (read differently). */
function fieldPathOf(node: ASTNode): string[] | undefined {
  if (node.op === 'id') {
    const name: unknown = node.args;
    return typeof name === 'string' && !(name in Object.prototype) ? [name] : undefined;
  }
  if (node.op !== '.') return undefined;
  const [receiver, key] = node.args as unknown as [ASTNode, unknown];
  if (typeof key !== 'string' || key in Object.prototype) return undefined;
  const head = fieldPathOf(receiver);
  return head === undefined ? undefined : [...head, key];
}
