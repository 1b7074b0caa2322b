import { requestError } from '../errors';
import type { NewEvent } from './types';

/**
 * Producer request body -> events. Bodies:
 * - `application/json`: a JSON array (one event per element) or a single JSON value (one event);
 * - `application/x-ndjson`: one JSON value per non-empty line.
 * Each value is the event body (strings as-is, anything else as JSON text), unless `envelope` is set:
 * then each value is `{"body": <any>, "partitionKey"?: string, "partitionId"?: string, "properties"?: {..}}`.
 * `partitionKey` / `partitionId` (query) apply to events without their own.
 */
export interface ProducerDefaults {
  envelope: boolean;
  partitionKey?: string;
  partitionId?: string;
}

function parseValues(text: string, contentType: string): unknown[] {
  if (/ndjson|jsonl|jsonlines/i.test(contentType)) {
    const values: unknown[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        values.push(JSON.parse(line));
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
    throw requestError(`Expected a JSON array of events (or NDJSON with Content-Type application/x-ndjson); the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return Array.isArray(value) ? value : [value];
}

const toBody = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

export function parseProducerBody(text: string, contentType: string, defaults: ProducerDefaults): NewEvent[] {
  return parseValues(text, contentType).map((value, i) => {
    if (!defaults.envelope) return { body: toBody(value), partitionKey: defaults.partitionKey ?? null, partitionId: defaults.partitionId };
    if (!value || typeof value !== 'object' || Array.isArray(value) || !('body' in value)) {
      throw requestError(`Event ${i}: with envelope=true each event must be {"body": ..., "partitionKey"?, "partitionId"?, "properties"?}; found ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    const e = value as Record<string, unknown>;
    for (const key of ['partitionKey', 'partitionId'] as const) {
      if (e[key] !== undefined && e[key] !== null && typeof e[key] !== 'string') {
        throw requestError(`Event ${i}: ${key} must be a string; found ${JSON.stringify(e[key])}`);
      }
    }
    if (e.properties !== undefined && (typeof e.properties !== 'object' || e.properties === null || Array.isArray(e.properties))) {
      throw requestError(`Event ${i}: properties must be an object; found ${JSON.stringify(e.properties)}`);
    }
    return {
      body: toBody(e.body),
      partitionKey: (e.partitionKey as string | undefined) ?? defaults.partitionKey ?? null,
      partitionId: (e.partitionId as string | undefined) ?? defaults.partitionId,
      properties: (e.properties as Record<string, unknown> | undefined) ?? {},
    };
  });
}
