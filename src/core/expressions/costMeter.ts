import { Environment } from '@marcbachmann/cel-js';

/**
 * Run-time bounds of one CEL evaluation (docs/reference/expressions.md, "Cost budget"). Deterministic: they count
 * work, never time, so a redelivered event gets the same verdict.
 * - `maxCost`: one unit per AST node evaluated, plus the size of every string, list or map a node yields (its length,
 *   element count or key count), plus the deep size of both operands of `==`, `!=` and `in` when they are lists or maps.
 * - `maxBuiltLength`: the longest string or list an expression may build (concatenation, map/filter results, split...).
 */
export const COST_LIMITS = Object.freeze({ maxCost: 2_000_000, maxBuiltLength: 100_000 });

interface Node {
  op: string;
  start: number;
  left?: Node;
  right?: Node;
  handle?: (left: unknown, right: unknown, ast: Node, ev: unknown) => unknown;
  evaluate(ev: unknown, ast: Node, ctx: unknown): unknown;
}

/** A breach of COST_LIMITS, with the node it happened at (for the position in the message). */
export class CostLimitError extends Error {
  readonly range: { start: number };
  constructor(
    readonly summary: string,
    start: number,
  ) {
    super(summary);
    this.range = { start };
  }
}

/** The state of the evaluation in progress (evaluation is synchronous, so one per process suffices). */
let instrumented = false;
// Module-level small integers (not an object with Infinity) keep the hot path's loads and compares cheap.
const IDLE = 2 ** 30;
let cost = 0;
let limit = IDLE;
let maxBuilt = IDLE;
let breached: CostLimitError | undefined;

/** Nodes whose value is read from the event or a literal: charged, never capped (the event's size is Event Hubs' business). */
const READS = new Set(['value', 'id', '.', '.?', '[]', '[?]']);
/** Nodes that hand on a value another node already charged (the comprehension accumulator, a ternary branch). */
const PASSES = new Set(['accuValue', 'accuPush', 'accuInc', '?:', '&&', '||']);

const BUDGET = `expression limit: cost budget of ${COST_LIMITS.maxCost} exceeded (operations plus the sizes of the strings, lists and maps they handle)`;

function breach(summary: string, node: Node): CostLimitError {
  breached ??= new CostLimitError(summary, node.start);
  // Once breached every further step fails at once, so an error-absorbing `||` or `exists` cannot go on working.
  limit = -1;
  return breached;
}

/** Length of a string, list, bytes or Map/Set; key count of a plain object (counted: O(keys), which is what it charges). */
function shallowSize(value: object): number {
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (value instanceof Uint8Array) return value.length;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return 0;
  let n = 0;
  for (const _ in value) n++;
  return n;
}

/** Elements, entries and string characters under `value`, counting at most `cap` (so the walk costs what it charges). */
function deepSize(value: unknown, cap: number): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 1;
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && n <= cap) {
    const v = stack.pop();
    n++;
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v instanceof Map) for (const item of v.values()) stack.push(item);
    else if (
      v !== null &&
      typeof v === 'object' &&
      (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
    ) {
      for (const key in v) stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return n;
}

function charge(value: unknown, node: Node): void {
  let size: number;
  if (typeof value === 'string') size = value.length;
  else if (value !== null && typeof value === 'object') size = shallowSize(value);
  else return;
  const op = node.op;
  if (!READS.has(op)) {
    if (size > maxBuilt && (typeof value === 'string' || Array.isArray(value))) {
      throw breach(
        `expression limit: built a ${typeof value === 'string' ? 'string' : 'list'} of ${size} ${typeof value === 'string' ? 'characters' : 'elements'}; at most ${maxBuilt} allowed`,
        node,
      );
    }
    if (PASSES.has(op)) return;
  }
  cost += size;
  if (cost > limit) throw breach(BUDGET, node);
}

type Run = (this: unknown, ast: Node, ctx: unknown) => unknown;

/**
 * Every node evaluation in cel-js goes through `Evaluator.prototype.run` (children, comprehension steps, macro bodies);
 * cel-js has no hook or cost tracker, so `run` is replaced by a metered one. The Evaluator class is not exported: its
 * prototype is reached through a function handler's `this` in a throwaway environment (so the probe function is not in
 * ours). cel-js is pinned (package-lock); costMeter.test.ts fails if a release stops routing evaluation through `run`.
 */
export function instrumentEvaluator(): void {
  if (instrumented) return;
  let proto: { run?: Run; __streamfoldMetered?: boolean } | undefined;
  const probe = new Environment({ unlistedVariablesAreDyn: true });
  probe.registerFunction('streamfoldProbe(): bool', function (this: object) {
    proto = Object.getPrototypeOf(this) as typeof proto;
    return true;
  });
  probe.evaluate('streamfoldProbe()', {});
  if (proto === undefined || typeof proto.run !== 'function')
    throw new Error('internal: cel-js evaluator has no run method to meter');
  if (proto.__streamfoldMetered) {
    instrumented = true;
    return;
  }
  const metered: Run = function (ast, ctx) {
    if (++cost > limit) throw breach(BUDGET, ast);
    let value: unknown;
    const op = ast.op;
    if (
      (op === '==' || op === '!=' || op === 'in') &&
      ast.handle !== undefined &&
      ast.left !== undefined &&
      ast.right !== undefined
    ) {
      // As cel-js's evaluateBinary, with the deep sizes charged: list and map equality compare element by element.
      const left = metered.call(this, ast.left, ctx);
      const right = metered.call(this, ast.right, ctx);
      if (left !== null && typeof left === 'object' && right !== null && typeof right === 'object') {
        const remaining = limit - cost;
        cost += deepSize(left, remaining) + deepSize(right, remaining);
        if (cost > limit)
          throw breach(
            `expression limit: cost budget of ${COST_LIMITS.maxCost} exceeded (comparing large lists or maps)`,
            ast,
          );
      }
      value = ast.handle(left, right, ast, this);
    } else value = ast.evaluate(this, ast, ctx);
    if (typeof value === 'string' || (value !== null && typeof value === 'object')) charge(value, ast);
    return value;
  };
  Object.defineProperty(proto, 'run', { value: metered, writable: true, configurable: true });
  Object.defineProperty(proto, '__streamfoldMetered', { value: true });
  instrumented = true;
}

/** Starts the budget of one evaluation (no allocation: evaluation is synchronous and the meter is reused). */
export function startMetering(): void {
  cost = 0;
  limit = COST_LIMITS.maxCost;
  maxBuilt = COST_LIMITS.maxBuiltLength;
  breached = undefined;
}

/**
 * Ends the evaluation's budget; returns the breach, if any. A breach is reported even when CEL's error-absorbing
 * operators (`||`, `&&`, `exists`) swallowed it and produced a value.
 */
export function stopMetering(): CostLimitError | undefined {
  limit = IDLE;
  maxBuilt = IDLE;
  return breached;
}

/** Cost of the last metered evaluation (for tests and the docs' examples). */
export function lastCost(): number {
  return cost;
}
