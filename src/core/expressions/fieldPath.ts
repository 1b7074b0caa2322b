const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** CEL literals, operators and reserved words: never a bare field path. */
const NOT_FIELDS = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
  '__proto__',
  'prototype',
]);

/** The segments of a bare field path like `delay` or `meta.ts`, or undefined when the text is anything else. */
export function parseFieldPath(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!PATH.test(trimmed)) return undefined;
  const segments = trimmed.split('.');
  return segments.some((s) => NOT_FIELDS.has(s)) ? undefined : segments;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A reader for a field path: own properties only (so `constructor` or `toString` never reach the prototype), null
 * when any step is missing, null or not an object. Specialised for one and two steps, the common cases.
 */
export function fieldReader(segments: readonly string[]): (payload: Record<string, unknown>) => unknown {
  const [first, second] = segments as [string, string | undefined];
  const step = (o: unknown, key: string): unknown =>
    o !== null && typeof o === 'object' && !Array.isArray(o) && hasOwn.call(o, key)
      ? ((o as Record<string, unknown>)[key] ?? null)
      : null;
  if (segments.length === 1) return topLevelReader(first);
  if (segments.length === 2)
    return (payload) => step(hasOwn.call(payload, first) ? payload[first] : null, second as string);
  return (payload) => {
    let v: unknown = payload;
    for (const key of segments) v = step(v, key);
    return v;
  };
}

type Reader = (payload: Record<string, unknown>) => unknown;

/**
 * Readers of one top-level field, from eight identical closure sites handed out in turn per field name. V8 keeps
 * property-load feedback per closure site, shared by every closure the site creates: readers of a pipeline's key,
 * time and measures made by one site saw every field name and their loads went megamorphic (a hash-table probe per
 * read, about twice the cost). The code is fixed text; only the field name varies, as data.
 */
const TOP_LEVEL_SITES: ((key: string) => Reader)[] = [
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
  (key) => (p) => (hasOwn.call(p, key) ? (p[key] ?? null) : null),
];
/** One reader per field name, so every expression reading a field shares its reader (bounded: names beyond get new ones). */
const topLevelReaders = new Map<string, Reader>();
const MAX_CACHED_READERS = 4096;

function topLevelReader(key: string): Reader {
  const known = topLevelReaders.get(key);
  if (known !== undefined) return known;
  const site = TOP_LEVEL_SITES[topLevelReaders.size % TOP_LEVEL_SITES.length] as (key: string) => Reader;
  const reader = site(key);
  if (topLevelReaders.size < MAX_CACHED_READERS) topLevelReaders.set(key, reader);
  return reader;
}
