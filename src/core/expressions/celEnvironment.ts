import { Environment } from '@marcbachmann/cel-js';

import { instrumentEvaluator } from './costMeter';

/** Longest expression text a pipeline may hold. */
export const MAX_EXPRESSION_LENGTH = 1024;

/**
 * Parse-time limits: they bound the work one evaluation can do (together with the nesting rule in findUnsafe).
 * The library's defaults are the CEL specification's minimums (100,000 nodes), far more than a pipeline needs.
 */
export const CEL_LIMITS = { maxAstNodes: 256, maxDepth: 32, maxListElements: 64, maxMapEntries: 64, maxCallArguments: 8 };

let environment: Environment | undefined;

function remainder(a: number, b: number): number {
  if (!Number.isInteger(a) || !Number.isInteger(b)) {
    throw new Error(`% expects whole numbers, found ${a} % ${b}`);
  }
  if (b === 0) throw new Error('modulus by zero');
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
  const created = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, limits: CEL_LIMITS });
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
  created.registerOperator('double % double: double', (a: number, b: number) => remainder(a, b));
  created.registerOperator('double % int: double', (a: number, b: bigint) => remainder(a, Number(b)));
  created.registerOperator('int % double: double', (a: bigint, b: number) => remainder(Number(a), b));
  environment = created;
  return created;
}
