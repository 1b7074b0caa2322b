import { describeValue } from '../expressions/describeValue';

/** One event as the core sees it, whatever format it arrived in. */
export interface EventRecord {
  /**
   * What pipeline expressions read: the event itself, or a CloudEvent's `data` fields plus one `cloudevent` variable
   * holding its context attributes (`cloudevent.type`, `cloudevent.source`, ...), so a pipeline can `match` by type.
   */
  payload: Record<string, unknown>;
  /** CloudEvents `subject`: the stream when the pipeline keeps the default key and the payload has no `stream`. */
  subject: string | undefined;
  /** CloudEvents `time`: the event time when the pipeline's time field is missing from the payload. */
  time: string | undefined;
}

/** A body that is not an event; processBatch turns it into a dead letter with this reason. */
export interface EventProblem {
  code: 'schema';
  message: string;
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The raw body is not kept here: it is needed only for a dead letter, so processBatch builds it then.
 *
 * Normalizes a plain JSON object or a CloudEvents 1.0 structured-mode JSON event (an object with `specversion`)
 * to an EventRecord. Never throws: problems come back as values. Detecting a CloudEvent is one property read, so
 * plain events pay nothing else; a CloudEvent costs a few more reads and one shallow copy.
 *
 * CloudEvents rules: `specversion` must be "1.0"; `id`, `source` and `type` non-empty strings; `subject` and `time`
 * strings when present; `data` a JSON object, or absent (an empty payload). Binary data (`data_base64`) and a
 * non-object `data` are `schema` problems: pipeline expressions read named fields, which such data does not have.
 */
export function normalizeEvent(value: unknown): EventRecord | EventProblem {
  if (!isObject(value)) return { code: 'schema', message: `expected a JSON object, found ${describeValue(value)}` };
  if (value['specversion'] === undefined) return { payload: value, subject: undefined, time: undefined };
  return normalizeCloudEvent(value);
}

function normalizeCloudEvent(event: Record<string, unknown>): EventRecord | EventProblem {
  const problem = (message: string): EventProblem => ({ code: 'schema', message: `CloudEvent: ${message}` });
  if (event['specversion'] !== '1.0')
    return problem(`specversion: expected "1.0", found ${describeValue(event['specversion'])}`);
  for (const attribute of ['id', 'source', 'type'] as const) {
    const v = event[attribute];
    if (typeof v !== 'string' || v.length === 0)
      return problem(`${attribute}: expected a non-empty string, found ${describeValue(v)}`);
  }
  const subject = event['subject'];
  if (subject !== undefined && typeof subject !== 'string')
    return problem(`subject: expected a string, found ${describeValue(subject)}`);
  const time = event['time'];
  if (time !== undefined && typeof time !== 'string')
    return problem(`time: expected an RFC 3339 string, found ${describeValue(time)}`);
  if (event['data_base64'] !== undefined)
    return problem('data_base64: expected JSON `data` (an object); binary data is not supported');
  const data = event['data'];
  if (data !== undefined && !isObject(data))
    return problem(`data: expected a JSON object, found ${describeValue(data)}`);
  const { data: _data, ...attributes } = event;
  // One copy per CloudEvent (plain events pay nothing); a data field named `cloudevent` is shadowed by the attributes.
  return { payload: { ...(data ?? EMPTY), cloudevent: attributes }, subject, time };
}

/** Narrows a normalizeEvent result. */
export const isEventProblem = (r: EventRecord | EventProblem): r is EventProblem => 'code' in r;
