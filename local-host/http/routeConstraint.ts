import { appError } from '../errors';

export interface RouteConstraint {
  name: string;
  args: string[];
}

const guidPattern = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;
const integerPattern = /^[+-]?\d+$/;
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The argument count each ASP.NET route constraint takes. */
const arity: Record<string, readonly number[]> = {
  int: [0],
  long: [0],
  bool: [0],
  guid: [0],
  alpha: [0],
  double: [0],
  float: [0],
  decimal: [0],
  datetime: [0],
  min: [1],
  max: [1],
  range: [2],
  length: [1, 2],
  minlength: [1],
  maxlength: [1],
  regex: [1],
};

/** Validates a constraint at start-up so a typo fails loudly instead of never matching. */
export function checkConstraintSyntax(constraint: RouteConstraint, where: string): RegExp | undefined {
  const allowed = arity[constraint.name];
  if (!allowed) {
    throw appError(
      `${where}: unknown route constraint "${constraint.name}" (supported: ${Object.keys(arity).join(', ')}).`,
    );
  }
  if (!allowed.includes(constraint.args.length)) {
    throw appError(
      `${where}: route constraint "${constraint.name}" takes ${allowed.join(' or ')} argument(s), found ${constraint.args.length}.`,
    );
  }
  if (constraint.name === 'regex') {
    try {
      // ASP.NET regex constraints are case-insensitive and not implicitly anchored.
      return new RegExp(constraint.args[0] ?? '', 'i');
    } catch (err) {
      throw appError(
        `${where}: route constraint regex(${constraint.args[0]}) is not a valid regular expression: ${(err as Error).message}`,
      );
    }
  }
  if (constraint.name !== 'regex') {
    for (const arg of constraint.args) {
      if (!integerPattern.test(arg))
        throw appError(`${where}: route constraint "${constraint.name}" expects integer arguments, found "${arg}".`);
    }
  }
  return undefined;
}

/** Whether a route value satisfies one constraint (ASP.NET Core semantics, invariant culture). */
export function satisfiesConstraint(constraint: RouteConstraint, value: string, regex?: RegExp): boolean {
  const [a, b] = constraint.args.map(Number);
  switch (constraint.name) {
    case 'int':
      return integerPattern.test(value) && Number(value) >= -(2 ** 31) && Number(value) <= 2 ** 31 - 1;
    case 'long':
      return integerPattern.test(value) && BigInt(value) >= -(2n ** 63n) && BigInt(value) <= 2n ** 63n - 1n;
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'guid':
      return guidPattern.test(value);
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'double':
    case 'float':
    case 'decimal':
      return numberPattern.test(value);
    case 'datetime':
      return !Number.isNaN(Date.parse(value));
    case 'min':
      return integerPattern.test(value) && Number(value) >= (a ?? 0);
    case 'max':
      return integerPattern.test(value) && Number(value) <= (a ?? 0);
    case 'range':
      return integerPattern.test(value) && Number(value) >= (a ?? 0) && Number(value) <= (b ?? 0);
    case 'length':
      return b === undefined ? value.length === a : value.length >= (a ?? 0) && value.length <= b;
    case 'minlength':
      return value.length >= (a ?? 0);
    case 'maxlength':
      return value.length <= (a ?? 0);
    case 'regex':
      return (regex ?? new RegExp(constraint.args[0] ?? '', 'i')).test(value);
    default:
      return false;
  }
}
