import type { ASTNode } from '@marcbachmann/cel-js';

/** Macros that loop over a list or map of the event. */
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

export interface UnsafeFinding {
  message: string;
  position: number;
}

const isNode = (v: unknown): v is ASTNode => v !== null && typeof v === 'object' && 'op' in v && 'args' in v;

type Visit = (node: ASTNode, inComprehension: boolean) => UnsafeFinding | undefined;

/** The first finding of `visit` over a node or a (nested) array of nodes, in order. */
function firstFinding(value: unknown, inComprehension: boolean, visit: Visit): UnsafeFinding | undefined {
  if (isNode(value)) return visit(value, inComprehension);
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstFinding(item, inComprehension, visit);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Bounded cost beyond the parser's node and depth limits:
 * - `matches` is refused: JavaScript regular expressions backtrack (CEL specifies RE2, which does not), so one
 *   pattern such as `(a+)+$` against a crafted event string could stall a partition for seconds (ReDoS).
 * - Comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) may not nest, so one evaluation is linear in
 *   the event's size: a nested pair over a 10,000-element list would already be 10^8 steps.
 */
export function findUnsafe(ast: ASTNode): UnsafeFinding | undefined {
  const visit: Visit = (node, inComprehension) => {
    if (node.op === 'call' || node.op === 'rcall') {
      const name = node.args[0];
      if (name === 'matches') {
        return {
          message:
            'matches() is not available (JavaScript regular expressions can backtrack without bound); use contains, startsWith or endsWith',
          position: node.start,
        };
      }
      if (node.op === 'rcall' && COMPREHENSIONS.has(name)) {
        if (inComprehension)
          return {
            message: `${name}() inside another comprehension is not allowed (it would make the cost grow with the square of the event's size)`,
            position: node.start,
          };
        return visit(node.args[1], false) ?? visitAll(node.args[2], true);
      }
    }
    return visitAll(node.args, inComprehension);
  };
  const visitAll = (value: unknown, inComprehension: boolean) => firstFinding(value, inComprehension, visit);
  return visit(ast, false);
}

interface CheckedNode {
  op: string;
  args: unknown;
  start: number;
  checkedType?: { name?: unknown };
}

const GROWING = /^(?:string|bytes|list\b)/;

/**
 * After type checking: no concatenation (a `+` whose result or an operand the checker types as a string, bytes or
 * list) inside a comprehension body. Repeated per element, it grows with the square of the event's size: the issue's
 * `size(xs.map(x, xs + [x])) > 0`. A `+` of `dyn` operands (numbers read from the event) stays allowed; if it
 * concatenates at run time, the cost budget and the built-length cap still apply (costMeter).
 */
export function findGrowth(ast: ASTNode): UnsafeFinding | undefined {
  const typeOf = (n: unknown): string =>
    isNode(n) ? String((n as unknown as CheckedNode).checkedType?.name ?? '') : '';
  const visit: Visit = (node, inComprehension) => {
    if (inComprehension && node.op === '+') {
      const [left, right] = node.args as unknown as [unknown, unknown];
      if ([typeOf(node), typeOf(left), typeOf(right)].some((t) => GROWING.test(t))) {
        return {
          message: `string or list concatenation (+) inside a comprehension body is not allowed (repeated per element, its cost would grow with the square of the event's size)`,
          position: node.start,
        };
      }
    }
    if (node.op === 'rcall' && COMPREHENSIONS.has(node.args[0]))
      return visitAll(node.args[1], inComprehension) ?? visitAll(node.args[2], true);
    return visitAll(node.args, inComprehension);
  };
  const visitAll = (value: unknown, inComprehension: boolean) => firstFinding(value, inComprehension, visit);
  return visit(ast, false);
}

/** Every identifier the expression reads (top-level event fields, and comprehension variables). */
export function variables(ast: ASTNode): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (isNode(value)) {
      if (value.op === 'id') names.push(value.args);
      else visit(value.args);
    } else if (Array.isArray(value)) for (const item of value) visit(item);
  };
  visit(ast);
  return names;
}
