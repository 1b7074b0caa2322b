import { latin1Of } from '../aggregates/bytes';
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
  /**
   * The key last seen at each position of a body (PREDICTED positions of KEY_BYTES bytes: its length, 255 for none, at
   * position * KEY_BYTES and its bytes after) and what nameAt gave for it: events of a stream list their fields in one
   * order, so a key is usually the one before it at its place, recognised by one comparison.
   */
  readonly predictedKeys: Uint8Array;
  readonly predictedNames: (string | null | undefined)[];
}

const PREDICTED = 32;
const KEY_BYTES = 64;

const MAX_DEPTH = 64;
/** Numbers of at most this many digits are read from their digits (scanNumber). */
const EXACT_DIGITS = 15;

/**
 * The fields the pipelines can read, or undefined when some expression does not say (then every body is parsed
 * whole). `__proto__` is never selected: assigning it to an object sets the prototype, where JSON.parse makes an own
 * property. Kept per pipeline (compiled pipelines do not change) and per set of names: building one cost as much as
 * parsing a few dozen events, once per batch.
 */
export function fieldSelection(pipelines: readonly CompiledPipeline[]): FieldSelection | undefined {
  if (pipelines.length === 1) return selectionOf(fieldsOf(pipelines[0] as CompiledPipeline));
  const names = new Set<string>();
  for (const p of pipelines) {
    const fields = fieldsOf(p);
    if (fields === undefined) return undefined;
    for (const f of fields) names.add(f);
  }
  return selectionOf([...names].sort());
}

const fieldsByPipeline = new WeakMap<CompiledPipeline, readonly string[] | undefined>();

/** The pipeline's fields, sorted, or undefined when an expression does not say. */
function fieldsOf(p: CompiledPipeline): readonly string[] | undefined {
  if (fieldsByPipeline.has(p)) return fieldsByPipeline.get(p);
  const names = new Set<string>();
  let known = true;
  const expressions = [p.match, p.filter, p.key, p.time, ...p.measures.map(([, e]) => e)];
  for (const a of p.aggregates) expressions.push(a.expression);
  for (const e of expressions) {
    if (e === undefined) continue;
    if (e.fields === undefined) known = false;
    else for (const f of e.fields) names.add(f);
  }
  const fields = known ? [...names].sort() : undefined;
  fieldsByPipeline.set(p, fields);
  return fields;
}

const selections = new Map<string, FieldSelection | undefined>();
const MAX_SELECTIONS = 256;

function selectionOf(names: readonly string[] | undefined): FieldSelection | undefined {
  if (names === undefined || names.includes('__proto__')) return undefined;
  const key = JSON.stringify(names);
  if (selections.has(key)) return selections.get(key);
  const byLength: [string | null, Uint8Array][][] = [];
  const add = (name: string | null, bytes: Uint8Array) => (byLength[bytes.length] ??= []).push([name, bytes]);
  add(null, Buffer.from('specversion'));
  for (const name of names) if (name !== 'specversion') add(name, Buffer.from(name));
  const selection = {
    byLength,
    predictedKeys: new Uint8Array(PREDICTED * KEY_BYTES).fill(255),
    predictedNames: new Array<string | null | undefined>(PREDICTED).fill(undefined),
  };
  if (selections.size >= MAX_SELECTIONS) selections.clear();
  selections.set(key, selection);
  return selection;
}

// Each step takes the bytes as a parameter (a module-level variable cost a context load per byte) and returns the
// index after what it read, or -1; what else a step finds (escaped, exact) is module state, so no step allocates.
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

/** Per byte: 0 for a character a JSON string holds as itself (ASCII from space on); 1 for `"`, `\`, controls and non-ASCII. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_STOP[c] = c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f ? 1 : 0;

/** From the opening quote at i: the index of the closing quote, or -1 (invalid, or not ASCII). */
function scanString(b: Uint8Array, i: number): number {
  const n = b.length;
  escaped = false;
  for (i++; i < n; i++) {
    const c = b[i] as number;
    // One table load per ordinary character (most of a body's bytes are these).
    if (STRING_STOP[c] === 0) continue;
    if (c === 0x22) return i;
    if (c !== 0x5c) return -1;
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
  return -1;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * Set by scanNumber: the number's value when its digits give it exactly, else NaN (then Number() of its text). With at
 * most 15 digits in all and no exponent, the digits form an integer below 2^53 (exact in a double) and a fraction
 * divides it by a power of ten up to 1e15 (exact too), and one IEEE division of exact operands is the correctly
 * rounded quotient, as Number() and JSON.parse give (Clinger's fast path, which V8's own parser takes first).
 */
let exact = NaN;
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** From the number's first byte at i: the index after it, or -1. JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function scanNumber(b: Uint8Array, i: number): number {
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let digits = 0;
  let mantissa = 0;
  let c = b[i];
  if (c === 0x30) i++;
  else if (isDigit(c)) {
    for (; isDigit((c = b[i])); i++, digits++) mantissa = mantissa * 10 + ((c as number) - 0x30);
  } else return -1;
  let fraction = 0;
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) return -1;
    for (; isDigit((c = b[i])); i++, fraction++) mantissa = mantissa * 10 + ((c as number) - 0x30);
  }
  const e = b[i];
  if (e === 0x65 || e === 0x45) {
    exact = NaN;
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
    return i;
  }
  if (digits + fraction > EXACT_DIGITS) exact = NaN;
  else {
    const magnitude = fraction === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fraction] as number);
    exact = negative ? -magnitude : magnitude;
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
    const candidate = candidates[c] as readonly [string | null, Uint8Array];
    const bytes = candidate[1];
    let k = 0;
    while (k < bytes.length && bytes[k] === b[start + k]) k++;
    if (k === bytes.length) return candidate[0];
  }
  return undefined;
}

/**
 * Short strings (keys, codes, categories) repeat across events: a direct-mapped cache by content gives the same
 * string again, without creating one (a call into the runtime, about a tenth of a JSON.parse) and with its hash
 * already computed for the Maps it is looked up in. A hit is checked byte by byte, so it is always the
 * string the bytes spell.
 */
const SHORT = 12;
const STRING_SLOTS = 16384;
const SLOT_SHIFT = 32 - 14;
const strings: string[] = new Array<string>(STRING_SLOTS).fill('');
/** Each slot's bytes (SHORT at most, at slot * 16) and length (255: empty): checking a hit compares bytes to bytes. */
const slotBytes = new Uint8Array(STRING_SLOTS * 16);
const slotLengths = new Uint8Array(STRING_SLOTS).fill(255);

/** The string of the ASCII bytes b[start, end) (validated by scanString, no escapes). */
function stringAt(b: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > SHORT) return latin1Of(b, start, end);
  let h = length;
  for (let k = start; k < end; k++) h = Math.imul(h ^ (b[k] as number), 0x9e3779b1);
  // The top 14 bits of the product mix every byte.
  const slot = h >>> SLOT_SHIFT;
  const at = slot * 16;
  if (slotLengths[slot] === length) {
    let k = 0;
    while (k < length && slotBytes[at + k] === b[start + k]) k++;
    if (k === length) return strings[slot] as string;
  }
  const made = latin1Of(b, start, end);
  strings[slot] = made;
  slotLengths[slot] = length;
  for (let k = 0; k < length; k++) slotBytes[at + k] = b[start + k] as number;
  return made;
}

/**
 * The body's selected top-level fields as JSON.parse would give them, or undefined when the body is not the plain
 * case (see above). Only the selected values are decoded; every byte of the body was checked ASCII before it is
 * accepted, so decoding a range as latin1 gives what UTF-8 decoding gives.
 */
export function parseSelected(body: Buffer, selection: FieldSelection): Record<string, unknown> | undefined {
  const b = body;
  const n = b.length;
  const out: Record<string, unknown> = {};
  let i = ws(b, 0);
  if (b[i] !== 0x7b) return undefined;
  i = ws(b, i + 1);
  if (b[i] === 0x7d) return ws(b, i + 1) === n ? out : undefined;
  let stored = 0;
  const { predictedKeys, predictedNames } = selection;
  for (let position = 0; ; position++) {
    if (b[i] !== 0x22) return undefined;
    let keyEnd = -1;
    let name: string | null | undefined;
    const at = position * KEY_BYTES;
    const predicted = position < PREDICTED ? (predictedKeys[at] as number) : 255;
    if (predicted !== 255) {
      // The key seen here before, followed by its closing quote: the same (valid, unescaped) key, so the same name.
      const length = predicted;
      let k = 0;
      while (k < length && predictedKeys[at + 1 + k] === b[i + 1 + k]) k++;
      if (k === length && b[i + 1 + length] === 0x22) {
        keyEnd = i + 1 + length;
        name = predictedNames[position];
      }
    }
    if (keyEnd < 0) {
      keyEnd = scanString(b, i);
      if (keyEnd < 0 || escaped) return undefined;
      name = nameAt(b, selection, i + 1, keyEnd);
      const length = keyEnd - i - 1;
      if (position < PREDICTED && length < KEY_BYTES) {
        predictedKeys[at] = length;
        for (let k = 0; k < length; k++) predictedKeys[at + 1 + k] = b[i + 1 + k] as number;
        predictedNames[position] = name;
      }
    }
    if (name === null) return undefined;
    i = ws(b, keyEnd + 1);
    if (b[i] !== 0x3a) return undefined;
    const start = ws(b, i + 1);
    const c = b[start];
    if (name === undefined) {
      i = scanValue(b, start, 1);
      if (i < 0) return undefined;
    } else {
      let value: unknown;
      if (c === 0x22) {
        const end = scanString(b, start);
        if (end < 0) return undefined;
        value = escaped ? JSON.parse(latin1Of(body, start, end + 1)) : stringAt(b, start + 1, end);
        i = end + 1;
      } else if (c === 0x2d || isDigit(c)) {
        i = scanNumber(b, start);
        if (i < 0) return undefined;
        value = Number.isNaN(exact) ? Number(latin1Of(body, start, i)) : exact;
      } else {
        i = scanValue(b, start, 1);
        if (i < 0) return undefined;
        value = c === 0x74 ? true : c === 0x66 ? false : c === 0x6e ? null : JSON.parse(latin1Of(body, start, i));
      }
      store(out, stored++, name, value);
    }
    i = ws(b, i);
    if (b[i] === 0x7d) return ws(b, i + 1) === n ? out : undefined;
    if (b[i] !== 0x2c) return undefined;
    i = ws(b, i + 1);
  }
}

/**
 * out[name] = value from one store site per position: events of a stream list their fields in one order, so each site
 * sees one field name and one object shape and stays monomorphic, where a single site saw every name and shape and
 * went megamorphic (a hash probe per store).
 */
function store(out: Record<string, unknown>, position: number, name: string, value: unknown): void {
  switch (position) {
    case 0:
      out[name] = value;
      return;
    case 1:
      out[name] = value;
      return;
    case 2:
      out[name] = value;
      return;
    case 3:
      out[name] = value;
      return;
    case 4:
      out[name] = value;
      return;
    case 5:
      out[name] = value;
      return;
    default:
      out[name] = value;
  }
}
