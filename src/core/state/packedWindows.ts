import type { Aggregate } from '../aggregates';
import { ByteReader, ByteWriter } from '../aggregates/bytes';
import type { PartialWindow } from '../batch';

/**
 * A pending partial's windows as the stored stream state holds them from version 5 (storedState.ts): one base64
 * string instead of an array of objects. The entity's state is serialized after every batch and the host escapes,
 * copies and stores it again; pending partials were about two thirds of it in the round-robin replay, and a base64
 * string is copied as it is where objects of numbers are formatted and re-parsed.
 */
export interface PackedWindows {
  packed: string;
}

const VERSION = 1;
const WINDOW_KEYS = ['start', 'end', 'events', 'measures'];
const AGGREGATE_KEYS = ['count', 'sum', 'min', 'max', 'mean', 'm2', 'first', 'last', 'sketch', 'accuracy'];
const POINT_KEYS = ['time', 'value'];
const HAS_MIN = 1;
const HAS_MAX = 2;
const HAS_FIRST = 4;
const HAS_LAST = 8;

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Exactly these keys, in this order: what JSON would give back is then what unpackWindows builds. */
function hasKeys(v: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isPoint(v: unknown): boolean {
  return v === null || (isPlain(v) && hasKeys(v, POINT_KEYS) && finite(v['time']) && finite(v['value']));
}

function isPackableAggregate(v: unknown): v is Aggregate {
  if (!isPlain(v) || !hasKeys(v, AGGREGATE_KEYS)) return false;
  return (
    finite(v['count']) &&
    finite(v['sum']) &&
    (v['min'] === null || finite(v['min'])) &&
    (v['max'] === null || finite(v['max'])) &&
    finite(v['mean']) &&
    finite(v['m2']) &&
    isPoint(v['first']) &&
    isPoint(v['last']) &&
    typeof v['sketch'] === 'string' &&
    v['sketch'].isWellFormed() &&
    finite(v['accuracy'])
  );
}

function isPackable(w: unknown): w is PartialWindow {
  if (!isPlain(w) || !hasKeys(w, WINDOW_KEYS)) return false;
  if (!finite(w['start']) || !finite(w['end']) || !finite(w['events']) || !isPlain(w['measures'])) return false;
  // An own "__proto__" (JSON.parse makes one) would set the prototype when unpacked by assignment; a name with a lone
  // surrogate would come back as U+FFFD through UTF-8 (JSON keeps it).
  if (Object.hasOwn(w['measures'], '__proto__')) return false;
  return Object.entries(w['measures']).every(([name, a]) => name.isWellFormed() && isPackableAggregate(a));
}

/** As JSON stores a number: -0 becomes 0 (the only finite number JSON does not give back as it was). */
const json = (x: number): number => x + 0;

/**
 * The windows packed, or undefined when one is not of the plain shape packing gives back exactly (e.g. it has
 * `aggregates`, a key of its own, or a number JSON would not keep): those stay an array, which version 5 also reads.
 * unpackWindows(packWindows(w)) deep-equals JSON.parse(JSON.stringify(w)), key order included (tested).
 */
export function packWindows(windows: readonly PartialWindow[]): PackedWindows | undefined {
  if (!windows.every(isPackable)) return undefined;
  const out = new ByteWriter().byte(VERSION).uvarint(windows.length);
  for (const w of windows) {
    out.double(json(w.start)).double(json(w.end)).double(json(w.events));
    const measures = Object.entries(w.measures);
    out.uvarint(measures.length);
    for (const [name, a] of measures) {
      out.text(name);
      const flags =
        (a.min === null ? 0 : HAS_MIN) |
        (a.max === null ? 0 : HAS_MAX) |
        (a.first === null ? 0 : HAS_FIRST) |
        (a.last === null ? 0 : HAS_LAST);
      out.byte(flags).double(json(a.count)).double(json(a.sum));
      if (a.min !== null) out.double(json(a.min));
      if (a.max !== null) out.double(json(a.max));
      out.double(json(a.mean)).double(json(a.m2));
      if (a.first !== null) out.double(json(a.first.time)).double(json(a.first.value));
      if (a.last !== null) out.double(json(a.last.time)).double(json(a.last.value));
      out.text(a.sketch).double(json(a.accuracy));
    }
  }
  return { packed: out.toBase64() };
}

/** The windows packWindows packed, as objects of the stored shape. Throws on a packing this code did not write. */
export function unpackWindows({ packed }: PackedWindows): PartialWindow[] {
  const r = new ByteReader(packed, 'packed windows');
  r.version(VERSION);
  const n = r.uvarint();
  // Each window takes at least 25 bytes: a count beyond that is not a packing of ours (and no huge allocation).
  if (n > packed.length) throw new Error(`packed windows: ${n} windows cannot fit in ${packed.length} characters`);
  const windows: PartialWindow[] = new Array<PartialWindow>(n);
  for (let i = 0; i < windows.length; i++) {
    const start = r.double();
    const end = r.double();
    const events = r.double();
    const measures: Record<string, Aggregate> = {};
    for (let m = r.uvarint(); m > 0; m--) {
      const name = r.text();
      const flags = r.byte();
      const count = r.double();
      const sum = r.double();
      const min = flags & HAS_MIN ? r.double() : null;
      const max = flags & HAS_MAX ? r.double() : null;
      const mean = r.double();
      const m2 = r.double();
      const first = flags & HAS_FIRST ? { time: r.double(), value: r.double() } : null;
      const last = flags & HAS_LAST ? { time: r.double(), value: r.double() } : null;
      const sketch = r.text();
      const accuracy = r.double();
      measures[name] = { count, sum, min, max, mean, m2, first, last, sketch, accuracy };
    }
    windows[i] = { start, end, events, measures };
  }
  r.end();
  return windows;
}

export function isPackedWindows(v: unknown): v is PackedWindows {
  return isPlain(v) && hasKeys(v, ['packed']) && typeof v['packed'] === 'string';
}
