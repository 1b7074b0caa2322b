import { requestError } from '../errors';
import type { NewEvent } from './types';

/**
 * Producer request body -> events. Bodies:
 * - `application/json`: a JSON array (one event per element) or a single JSON value (one event);
 * - `application/x-ndjson`: one JSON value per non-empty line.
 * Each value is the event body (strings as-is, anything else as the JSON text sent, byte for byte), unless `envelope` is set:
 * then each value is `{"body": <any>, "partitionKey"?: string, "partitionId"?: string, "properties"?: {..}}`.
 * `partitionKey` / `partitionId` (query) apply to events without their own.
 */
export interface ProducerDefaults {
  envelope: boolean;
  partitionKey?: string;
  partitionId?: string;
}

/** A parsed value with its text exactly as sent, so an event body is never re-serialized (1e309, key order, spacing). */
interface Sent {
  value: unknown;
  raw: string;
}

function parseValues(text: string, contentType: string): Sent[] {
  if (/ndjson|jsonl|jsonlines/i.test(contentType)) {
    const values: Sent[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        values.push({ value: JSON.parse(line), raw: line.trim() });
      } catch {
        throw requestError(`NDJSON line ${i + 1} is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
      }
    });
    return values;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw requestError(
      `Expected a JSON array of events (or NDJSON with Content-Type application/x-ndjson); the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (!Array.isArray(value)) return [{ value, raw: text.trim() }];
  const raws = arrayElementTexts(text);
  // The scan cannot disagree with JSON.parse on valid JSON; if it ever did, re-serializing beats mismatching bodies.
  if (raws.length !== value.length) return value.map((element) => ({ value: element, raw: JSON.stringify(element) }));
  return value.map((element, i) => ({ value: element, raw: raws[i]! }));
}

const isJsonSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

/**
 * The text of each element of a top-level JSON array, as sent. Only called on text JSON.parse accepted, so a
 * scan that tracks strings (with escapes) and nesting depth finds the element boundaries.
 */
export function arrayElementTexts(text: string): string[] {
  const out: string[] = [];
  let i = text.indexOf('[') + 1;
  let start = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '[' || ch === '{') {
      depth++;
    } else if (depth > 0 && (ch === ']' || ch === '}')) {
      depth--;
    } else if (depth === 0 && (ch === ',' || ch === ']')) {
      let a = start;
      let b = i;
      while (a < b && isJsonSpace(text[a]!)) a++;
      while (b > a && isJsonSpace(text[b - 1]!)) b--;
      if (b > a) out.push(text.slice(a, b));
      if (ch === ']') break;
      start = i + 1;
    }
  }
  return out;
}

const toBody = (sent: Sent): Buffer => Buffer.from(typeof sent.value === 'string' ? sent.value : sent.raw, 'utf8');

export function parseProducerBody(text: string, contentType: string, defaults: ProducerDefaults): NewEvent[] {
  return parseValues(text, contentType).map((sent, i) => {
    const value = sent.value;
    if (!defaults.envelope)
      return { body: toBody(sent), partitionKey: defaults.partitionKey ?? null, partitionId: defaults.partitionId };
    if (!value || typeof value !== 'object' || Array.isArray(value) || !('body' in value)) {
      throw requestError(
        `Event ${i}: with envelope=true each event must be {"body": ..., "partitionKey"?, "partitionId"?, "properties"?}; found ${JSON.stringify(value)?.slice(0, 80)}`,
      );
    }
    const e = value as Record<string, unknown>;
    for (const key of ['partitionKey', 'partitionId'] as const) {
      if (e[key] !== undefined && e[key] !== null && typeof e[key] !== 'string') {
        throw requestError(`Event ${i}: ${key} must be a string; found ${JSON.stringify(e[key])}`);
      }
    }
    if (
      e.properties !== undefined &&
      (typeof e.properties !== 'object' || e.properties === null || Array.isArray(e.properties))
    ) {
      throw requestError(`Event ${i}: properties must be an object; found ${JSON.stringify(e.properties)}`);
    }
    return {
      // An envelope's body is a nested value: re-serialized (strings as-is).
      body: Buffer.from(typeof e.body === 'string' ? e.body : JSON.stringify(e.body), 'utf8'),
      partitionKey: (e.partitionKey as string | undefined) ?? defaults.partitionKey ?? null,
      partitionId: (e.partitionId as string | undefined) ?? defaults.partitionId,
      properties: (e.properties as Record<string, unknown> | undefined) ?? {},
    };
  });
}
