/** Built-in functions. Each gets already-evaluated arguments and throws EvalFailure on a type error. */
export type Value = null | boolean | number | string | readonly unknown[] | { readonly [key: string]: unknown };

export class EvalFailure {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}

export interface BuiltIn {
  minArgs: number;
  maxArgs: number;
  call(args: Value[], position: number): Value;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export function describeValue(v: unknown): string {
  const t = typeName(v);
  if (t === 'number' || t === 'boolean') return `${t} ${String(v)}`;
  if (t === 'string') return `string ${JSON.stringify((v as string).length > 40 ? `${(v as string).slice(0, 40)}…` : v)}`;
  return t;
}

function num(name: string, v: Value, position: number): number {
  if (typeof v !== 'number') throw new EvalFailure(`${name}: expected a number, found ${describeValue(v)}`, position);
  return v;
}

function str(name: string, v: Value, position: number): string {
  if (typeof v !== 'string') throw new EvalFailure(`${name}: expected a string, found ${describeValue(v)}`, position);
  return v;
}

/** Guards against NaN/Infinity leaking into aggregates: a non-finite result is an evaluation error. */
export function finite(name: string, v: number, position: number): number {
  if (!Number.isFinite(v)) throw new EvalFailure(`${name}: result is not a finite number (${v})`, position);
  return v;
}

const math1 = (name: string, f: (x: number) => number): BuiltIn => ({
  minArgs: 1,
  maxArgs: 1,
  call: ([x], p) => finite(name, f(num(name, x ?? null, p)), p),
});

export const BUILT_INS: Record<string, BuiltIn> = {
  abs: math1('abs', Math.abs),
  floor: math1('floor', Math.floor),
  ceil: math1('ceil', Math.ceil),
  sqrt: math1('sqrt', Math.sqrt),
  log: math1('log', Math.log),
  exp: math1('exp', Math.exp),
  round: {
    minArgs: 1,
    maxArgs: 2,
    call: ([x, digits], p) => {
      const value = num('round', x ?? null, p);
      if (digits === undefined) return Math.round(value);
      const d = num('round', digits, p);
      if (!Number.isInteger(d) || d < 0 || d > 15) throw new EvalFailure(`round: expected digits to be an integer 0-15, found ${describeValue(d)}`, p);
      const scale = 10 ** d;
      return finite('round', Math.round(value * scale) / scale, p);
    },
  },
  pow: { minArgs: 2, maxArgs: 2, call: ([a, b], p) => finite('pow', num('pow', a ?? null, p) ** num('pow', b ?? null, p), p) },
  min: { minArgs: 1, maxArgs: 64, call: (args, p) => Math.min(...args.map((a) => num('min', a, p))) },
  max: { minArgs: 1, maxArgs: 64, call: (args, p) => Math.max(...args.map((a) => num('max', a, p))) },
  len: {
    minArgs: 1,
    maxArgs: 1,
    call: ([x], p) => {
      if (typeof x === 'string' || Array.isArray(x)) return x.length;
      throw new EvalFailure(`len: expected a string or array, found ${describeValue(x)}`, p);
    },
  },
  lower: { minArgs: 1, maxArgs: 1, call: ([x], p) => str('lower', x ?? null, p).toLowerCase() },
  upper: { minArgs: 1, maxArgs: 1, call: ([x], p) => str('upper', x ?? null, p).toUpperCase() },
  contains: {
    minArgs: 2,
    maxArgs: 2,
    call: ([haystack, needle], p) => {
      if (Array.isArray(haystack)) return haystack.some((item) => item === needle);
      return str('contains', haystack ?? null, p).includes(str('contains', needle ?? null, p));
    },
  },
  startsWith: { minArgs: 2, maxArgs: 2, call: ([s, x], p) => str('startsWith', s ?? null, p).startsWith(str('startsWith', x ?? null, p)) },
  endsWith: { minArgs: 2, maxArgs: 2, call: ([s, x], p) => str('endsWith', s ?? null, p).endsWith(str('endsWith', x ?? null, p)) },
  coalesce: { minArgs: 1, maxArgs: 64, call: (args) => args.find((a) => a !== null) ?? null },
  exists: { minArgs: 1, maxArgs: 1, call: ([x]) => x !== null && x !== undefined },
  number: {
    minArgs: 1,
    maxArgs: 1,
    call: ([x], p) => {
      if (typeof x === 'number') return x;
      if (typeof x === 'boolean') return x ? 1 : 0;
      if (typeof x === 'string' && x.trim() !== '') {
        const n = Number(x);
        if (Number.isFinite(n)) return n;
      }
      throw new EvalFailure(`number: expected a number, boolean or numeric string, found ${describeValue(x)}`, p);
    },
  },
  string: {
    minArgs: 1,
    maxArgs: 1,
    call: ([x]) => (typeof x === 'string' ? x : x === null || x === undefined ? 'null' : typeof x === 'object' ? JSON.stringify(x) : String(x)),
  },
};
