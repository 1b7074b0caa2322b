import { Environment } from '@marcbachmann/cel-js';

import { instrumentEvaluator } from './costMeter';

/** Longest expression text a pipeline may hold. */
export const MAX_EXPRESSION_LENGTH = 1024;

/**
 * Parse-time limits: they bound the work one evaluation can do (together with the nesting rule in findUnsafe).
 * The library's defaults are the CEL specification's minimums (100,000 nodes), far more than a pipeline needs.
 */
export const CEL_LIMITS = {
  maxAstNodes: 256,
  maxDepth: 32,
  maxListElements: 64,
  maxMapEntries: 64,
  maxCallArguments: 8,
};

let environment: Environment | undefined;

/** An error shaped like cel-js's (summary and range), so the message carries the operator's position. */
function operatorError(summary: string, ast: { start?: number } | undefined): Error {
  return Object.assign(new Error(summary), { summary, range: { start: ast?.start ?? 0 } });
}

function remainder(a: number, b: number, ast?: { start?: number }): number {
  if (!Number.isInteger(a) || !Number.isInteger(b))
    throw operatorError(`% expects whole numbers, found ${a} % ${b}`, ast);
  if (b === 0) throw operatorError('modulus by zero', ast);
  return a % b;
}

/**
 * The one CEL environment (building one is expensive, so it is built once per process, on first use): every
 * top-level event field is a `dyn` variable, and int/double arithmetic mixes. JSON numbers are CEL doubles while
 * literals like `2` are CEL ints, and plain CEL has no `double * int`, so without these overloads `delay * 2` fails
 * with "no such overload". Comparisons across int and double are already part of CEL.
 */
export function celEnvironment(): Environment {
  if (environment) return environment;
  // Before any evaluation: every CEL evaluation in this process is metered (costMeter).
  instrumentEvaluator();
  const created = new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    limits: CEL_LIMITS,
  });
  const mixed: [string, (a: number, b: number) => number][] = [
    ['+', (a, b) => a + b],
    ['-', (a, b) => a - b],
    ['*', (a, b) => a * b],
    ['/', (a, b) => a / b],
  ];
  for (const [op, f] of mixed) {
    created.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => f(a, Number(b)));
    created.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => f(Number(a), b));
  }
  // `%`: JSON numbers are doubles, so `value % 2 == 0` must work on them. Defined for whole numbers only (CEL has no
  // floating-point remainder); the sign follows the dividend, as CEL's int `%` does.
  type At = { start?: number };
  created.registerOperator('double % double: double', (a: number, b: number, ast?: At) => remainder(a, b, ast));
  created.registerOperator('double % int: double', (a: number, b: bigint, ast?: At) => remainder(a, Number(b), ast));
  created.registerOperator('int % double: double', (a: bigint, b: number, ast?: At) => remainder(Number(a), b, ast));
  environment = created;
  return created;
}
