import { ByteReader, ByteWriter } from '../aggregates/bytes';
import {
  type AggregateContext,
  finite,
  hasKeys,
  isPackableAggregate,
  isPlain,
  json,
  readAggregate,
  writeAggregate,
} from './packedAggregate';
import type { RateSample } from './types';

/**
 * The rate samples as the stored stream state holds them from version 6 (storedState.ts): one base64 string. A
 * stream keeps up to 32 samples, each with a latency aggregate; as JSON they were about 250 characters each, a third
 * of a median stream's state in the round-robin replay, and the state is written after every entity batch. Packed
 * (numbers as ByteWriter.number, the sketch as bytes, the accuracy once: packedAggregate.ts) one takes about 70.
 */
export interface PackedSamples {
  packedSamples: string;
}

const VERSION = 1;
const SAMPLE_KEYS = ['key', 'at', 'events', 'minEnqueuedTime', 'maxEnqueuedTime', 'latency'];

function isPackable(s: unknown): s is RateSample {
  return (
    isPlain(s) &&
    hasKeys(s, SAMPLE_KEYS) &&
    typeof s['key'] === 'string' &&
    s['key'].isWellFormed() &&
    finite(s['at']) &&
    finite(s['events']) &&
    finite(s['minEnqueuedTime']) &&
    finite(s['maxEnqueuedTime']) &&
    isPackableAggregate(s['latency'])
  );
}

/**
 * The samples packed, or undefined when one is not of the shape packing gives back exactly (those stay an array,
 * which the state also reads). unpackSamples(packSamples(s)) deep-equals JSON.parse(JSON.stringify(s)) (tested).
 */
export function packSamples(samples: readonly RateSample[]): PackedSamples | undefined {
  if (!samples.every(isPackable)) return undefined;
  const out = new ByteWriter().byte(VERSION).uvarint(samples.length);
  const context: AggregateContext = { accuracy: undefined };
  for (const s of samples) {
    out.text(s.key).number(json(s.at)).number(json(s.events));
    out.number(json(s.minEnqueuedTime)).number(json(s.maxEnqueuedTime));
    writeAggregate(out, s.latency, context);
  }
  return { packedSamples: out.toBase64() };
}

/** The samples packSamples packed. Throws on a packing this code did not write. */
export function unpackSamples({ packedSamples }: PackedSamples): RateSample[] {
  const r = new ByteReader(packedSamples, 'packed samples');
  r.version(VERSION);
  const n = r.uvarint();
  // Each sample takes at least 12 bytes: a count beyond that is not a packing of ours (and no huge allocation).
  if (n > packedSamples.length)
    throw new Error(`packed samples: ${n} samples cannot fit in ${packedSamples.length} characters`);
  const samples = new Array<RateSample>(n);
  const context: AggregateContext = { accuracy: undefined };
  for (let i = 0; i < n; i++) {
    const key = r.text();
    const at = r.number();
    const events = r.number();
    const minEnqueuedTime = r.number();
    const maxEnqueuedTime = r.number();
    samples[i] = { key, at, events, minEnqueuedTime, maxEnqueuedTime, latency: readAggregate(r, context) };
  }
  r.end();
  return samples;
}

export function isPackedSamples(v: unknown): v is PackedSamples {
  return isPlain(v) && hasKeys(v, ['packedSamples']) && typeof v['packedSamples'] === 'string';
}
