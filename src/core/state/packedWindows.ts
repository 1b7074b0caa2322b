import type { Aggregate } from '../aggregates';
import { ByteReader, ByteWriter } from '../aggregates/bytes';
import type { PartialWindow } from '../batch';
import {
  type AggregateContext,
  finite,
  HAS_FIRST,
  HAS_LAST,
  HAS_MAX,
  HAS_MIN,
  hasKeys,
  isPackableAggregate,
  isPlain,
  json,
  readAggregate,
  writeAggregate,
} from './packedAggregate';

/**
 * A pending partial's windows as the stored stream state holds them from version 5 (storedState.ts): one base64
 * string instead of an array of objects. The entity's state is serialized after every batch and the host escapes,
 * copies and stores it again; pending partials were about two thirds of it in the round-robin replay, and a base64
 * string is copied as it is where objects of numbers are formatted and re-parsed.
 *
 * Version 1 of the packing (state version 5) wrote every number as a double and each sketch as its base64 text.
 * Version 2 (state version 6) writes numbers as ByteWriter.number, a one-event aggregate as one value and one time,
 * sketches as bytes, an accuracy and a measure name once per packing (packedAggregate.ts): a sparse stream's window
 * (one event, two measures; about 480 characters as JSON) went from about 360 to about 100. Both are read; version 2
 * is written.
 */
export interface PackedWindows {
  packed: string;
}

const VERSION_1 = 1;
const VERSION = 2;
const WINDOW_KEYS = ['start', 'end', 'events', 'measures'];

function isPackable(w: unknown): w is PartialWindow {
  if (!isPlain(w) || !hasKeys(w, WINDOW_KEYS)) return false;
  if (!finite(w['start']) || !finite(w['end']) || !finite(w['events']) || !isPlain(w['measures'])) return false;
  // An own "__proto__" (JSON.parse makes one) would set the prototype when unpacked by assignment; a name with a lone
  // surrogate would come back as U+FFFD through UTF-8 (JSON keeps it).
  if (Object.hasOwn(w['measures'], '__proto__')) return false;
  return Object.entries(w['measures']).every(([name, a]) => name.isWellFormed() && isPackableAggregate(a));
}

/**
 * The windows packed, or undefined when one is not of the plain shape packing gives back exactly (e.g. it has
 * `aggregates`, a key of its own, or a number JSON would not keep): those stay an array, which the state also reads.
 * unpackWindows(packWindows(w)) deep-equals JSON.parse(JSON.stringify(w)), key order included (tested).
 */
export function packWindows(windows: readonly PartialWindow[]): PackedWindows | undefined {
  if (!windows.every(isPackable)) return undefined;
  const out = new ByteWriter().byte(VERSION).uvarint(windows.length);
  const names = new Map<string, number>();
  const context: AggregateContext = { accuracy: undefined };
  for (const w of windows) {
    out.number(json(w.start)).number(json(w.end)).number(json(w.events));
    const measures = Object.entries(w.measures);
    out.uvarint(measures.length);
    for (const [name, a] of measures) {
      // A name seen before in this packing as its index + 1; a new one as 0 and its text.
      const seen = names.get(name);
      if (seen === undefined) {
        out.uvarint(0).text(name);
        names.set(name, names.size);
      } else out.uvarint(seen + 1);
      writeAggregate(out, a, context);
    }
  }
  return { packed: out.toBase64() };
}

/** The windows packWindows packed (either version), as objects of the stored shape. Throws on a packing this code did not write. */
export function unpackWindows({ packed }: PackedWindows): PartialWindow[] {
  const r = new ByteReader(packed, 'packed windows');
  const version = r.byte();
  if (version !== VERSION && version !== VERSION_1)
    throw new Error(
      `unsupported packed windows encoding: expected version ${VERSION_1} or ${VERSION}, found ${version}`,
    );
  const n = r.uvarint();
  // Each window takes at least 4 bytes: a count beyond that is not a packing of ours (and no huge allocation).
  if (n > packed.length) throw new Error(`packed windows: ${n} windows cannot fit in ${packed.length} characters`);
  const windows: PartialWindow[] = new Array<PartialWindow>(n);
  if (version === VERSION_1) {
    for (let i = 0; i < windows.length; i++) windows[i] = readWindowV1(r);
  } else {
    const names: string[] = [];
    const context: AggregateContext = { accuracy: undefined };
    for (let i = 0; i < windows.length; i++) {
      const start = r.number();
      const end = r.number();
      const events = r.number();
      const measures: Record<string, Aggregate> = {};
      for (let m = r.uvarint(); m > 0; m--) {
        const index = r.uvarint();
        let name: string;
        if (index === 0) names.push((name = r.text()));
        else if (index <= names.length) name = names[index - 1] as string;
        else throw new Error(`packed windows: expected a measure name index up to ${names.length}, found ${index}`);
        measures[name] = readAggregate(r, context);
      }
      windows[i] = { start, end, events, measures };
    }
  }
  r.end();
  return windows;
}

/** A window of version 1 of the packing (states saved by the version-5 code): every number a double, sketches as text. */
function readWindowV1(r: ByteReader): PartialWindow {
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
  return { start, end, events, measures };
}

export function isPackedWindows(v: unknown): v is PackedWindows {
  return isPlain(v) && hasKeys(v, ['packed']) && typeof v['packed'] === 'string';
}
