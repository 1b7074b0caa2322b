import type { CompiledPipeline } from '../pipelines';

/**
 * Parsing only what the pipelines read. JSON.parse builds every field of an event, but a pipeline reads a few (key,
 * time, measures, filter): building the others cost about as much as all of the folding. So for the trigger's bytes
 * this validates the whole body as JSON.parse would, and builds an object holding just the top-level fields the
 * batch's pipelines can read (CompiledExpression.fields), with the values JSON.parse gives them. Expressions read the
 * event only through those fields, so they see the same values; dead letters keep the raw bytes. It answers only for
 * the plain case and returns undefined otherwise, and the caller then takes the general path (readBody), which keeps
 * every verdict: any byte outside ASCII (so UTF-8 checks, a BOM and non-ASCII text stay there), a top level that is
 * not an object, a CloudEvent (a top-level `specversion`), a key with an escape, nesting deeper than MAX_DEPTH, and
 * anything that is not JSON. Tested against JSON.parse (selectiveParse.test.ts) and processBatch against the general
 * path (processBatchSelective.test.ts).
 */
export interface FieldSelection {
  /** The wanted names by length in bytes, as bytes to compare keys with; `specversion` maps to null (not plain). */
  readonly byLength: (readonly (readonly [string | null, Uint8Array])[] | undefined)[];
}

const MAX_DEPTH = 64;
/** Integers of at most this many digits are exact in a double when computed digit by digit. */
const EXACT_DIGITS = 15;

/**
 * The fields the pipelines can read, or undefined when some expression does not say (then every body is parsed
 * whole). `__proto__` is never selected: assigning it to an object sets the prototype, where JSON.parse makes an own
 * property.
 */
export function fieldSelection(pipelines: readonly CompiledPipeline[]): FieldSelection | undefined {
  const names = new Set<string>();
  for (const p of pipelines) {
    const expressions = [p.match, p.filter, p.key, p.time, ...p.measures.map(([, e]) => e)];
    for (const a of p.aggregates) expressions.push(a.expression);
    for (const e of expressions) {
      if (e === undefined) continue;
      if (e.fields === undefined) return undefined;
      for (const f of e.fields) names.add(f);
    }
  }
  if (names.has('__proto__')) return undefined;
  const byLength: [string | null, Uint8Array][][] = [];
  const add = (name: string | null, bytes: Uint8Array) => (byLength[bytes.length] ??= []).push([name, bytes]);
  add(null, Buffer.from('specversion'));
  for (const name of names) if (name !== 'specversion') add(name, Buffer.from(name));
  return { byLength };
}

// Each step takes the bytes as a parameter (a module-level variable cost a context load per byte) and returns the
// index after what it read, or -1; the two flags below are module state so that no step allocates a result.
/** Set by scanString: the string had an escape, so its value is JSON.parse of its text. */
let escaped = false;

function ws(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i] as number;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else break;
  }
  return i;
}

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** From the opening quote at i: the index of the closing quote, or -1 (invalid, or not ASCII). */
function scanString(b: Uint8Array, i: number): number {
  const n = b.length;
  escaped = false;
  for (i++; i < n; i++) {
    const c = b[i] as number;
    if (c === 0x22) return i;
    if (c < 0x20 || c > 0x7e) {
      if (c !== 0x7f) return -1;
    } else if (c === 0x5c) {
      escaped = true;
      const e = b[++i];
      if (e === 0x75) {
        if (i + 4 >= n) return -1;
        if (!isHex(b[i + 1] as number) || !isHex(b[i + 2] as number)) return -1;
        if (!isHex(b[i + 3] as number) || !isHex(b[i + 4] as number)) return -1;
        i += 4;
      } else if (
        e !== 0x22 &&
        e !== 0x5c &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
    }
  }
  return -1;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** Set by scanNumber: the number is an integer of at most EXACT_DIGITS digits (its value computed from its digits). */
let simple = false;

/** From the number's first byte at i: the index after it, or -1. JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function scanNumber(b: Uint8Array, i: number): number {
  const start = i;
  if (b[i] === 0x2d) i++;
  const first = b[i];
  if (first === 0x30) i++;
  else if (isDigit(first)) {
    i++;
    while (isDigit(b[i])) i++;
  } else return -1;
  simple = i - start <= EXACT_DIGITS;
  if (b[i] === 0x2e) {
    simple = false;
    i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  const e = b[i];
  if (e === 0x65 || e === 0x45) {
    simple = false;
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

/** The literal's bytes at i: the index after it, or -1. */
function scanLiteral(b: Uint8Array, i: number, literal: readonly number[]): number {
  for (let k = 0; k < literal.length; k++) if (b[i + k] !== literal[k]) return -1;
  return i + literal.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Any JSON value at i (after whitespace): the index after it, or -1. */
function scanValue(b: Uint8Array, i: number, depth: number): number {
  const c = b[i];
  if (c === 0x22) {
    const end = scanString(b, i);
    return end < 0 ? -1 : end + 1;
  }
  if (c === 0x2d || isDigit(c)) return scanNumber(b, i);
  if (c === 0x74) return scanLiteral(b, i, TRUE);
  if (c === 0x66) return scanLiteral(b, i, FALSE);
  if (c === 0x6e) return scanLiteral(b, i, NULL);
  if (depth >= MAX_DEPTH) return -1;
  if (c === 0x5b) {
    i = ws(b, i + 1);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      i = scanValue(b, i, depth + 1);
      if (i < 0) return -1;
      i = ws(b, i);
      if (b[i] === 0x5d) return i + 1;
      if (b[i] !== 0x2c) return -1;
      i = ws(b, i + 1);
    }
  }
  if (c === 0x7b) {
    i = ws(b, i + 1);
    if (b[i] === 0x7d) return i + 1;
    for (;;) {
      if (b[i] !== 0x22) return -1;
      i = scanString(b, i);
      if (i < 0) return -1;
      i = ws(b, i + 1);
      if (b[i] !== 0x3a) return -1;
      i = scanValue(b, ws(b, i + 1), depth + 1);
      if (i < 0) return -1;
      i = ws(b, i);
      if (b[i] === 0x7d) return i + 1;
      if (b[i] !== 0x2c) return -1;
      i = ws(b, i + 1);
    }
  }
  return -1;
}

/** The wanted name whose bytes are b[start, end), null for `specversion`, undefined for a field nobody reads. */
function nameAt(b: Uint8Array, selection: FieldSelection, start: number, end: number): string | null | undefined {
  const candidates = selection.byLength[end - start];
  if (candidates === undefined) return undefined;
  for (let c = 0; c < candidates.length; c++) {
    const [name, bytes] = candidates[c] as readonly [string | null, Uint8Array];
    let k = 0;
    while (k < bytes.length && bytes[k] === b[start + k]) k++;
    if (k === bytes.length) return name;
  }
  return undefined;
}

/**
 * The body's selected top-level fields as JSON.parse would give them, or undefined when the body is not the plain
 * case (see above). Text is decoded once, and only when a selected value needs it.
 */
export function parseSelected(body: Buffer, selection: FieldSelection): Record<string, unknown> | undefined {
  const b = body;
  const n = b.length;
  const out: Record<string, unknown> = {};
  let text: string | undefined;
  let i = ws(b, 0);
  if (b[i] !== 0x7b) return undefined;
  i = ws(b, i + 1);
  if (b[i] === 0x7d) return ws(b, i + 1) === n ? out : undefined;
  for (;;) {
    if (b[i] !== 0x22) return undefined;
    const keyEnd = scanString(b, i);
    if (keyEnd < 0 || escaped) return undefined;
    const name = nameAt(b, selection, i + 1, keyEnd);
    if (name === null) return undefined;
    i = ws(b, keyEnd + 1);
    if (b[i] !== 0x3a) return undefined;
    const start = ws(b, i + 1);
    const c = b[start];
    if (name === undefined) {
      i = scanValue(b, start, 1);
      if (i < 0) return undefined;
    } else if (c === 0x22) {
      const end = scanString(b, start);
      if (end < 0) return undefined;
      text ??= body.toString();
      out[name] = escaped ? JSON.parse(text.slice(start, end + 1)) : text.slice(start + 1, end);
      i = end + 1;
    } else if (c === 0x2d || isDigit(c)) {
      i = scanNumber(b, start);
      if (i < 0) return undefined;
      if (simple) {
        let v = 0;
        for (let k = c === 0x2d ? start + 1 : start; k < i; k++) v = v * 10 + ((b[k] as number) - 0x30);
        out[name] = c === 0x2d ? -v : v;
      } else {
        text ??= body.toString();
        out[name] = Number(text.slice(start, i));
      }
    } else {
      i = scanValue(b, start, 1);
      if (i < 0) return undefined;
      if (c === 0x74) out[name] = true;
      else if (c === 0x66) out[name] = false;
      else if (c === 0x6e) out[name] = null;
      else {
        text ??= body.toString();
        out[name] = JSON.parse(text.slice(start, i));
      }
    }
    i = ws(b, i);
    if (b[i] === 0x7d) return ws(b, i + 1) === n ? out : undefined;
    if (b[i] !== 0x2c) return undefined;
    i = ws(b, i + 1);
  }
}
