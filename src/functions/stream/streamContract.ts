import * as df from 'durable-functions';

import { decodeStreamKey, encodeStreamKey, type StreamChange, type StreamView } from '../../core';

/**
 * The stream entity's contract: its name, its key, its operations with their inputs, and its reply. Ingest, the
 * timers and the API talk to the entity only through this module; importing it registers nothing (the entity is
 * registered by streamEntity.ts). The key codec is core's (src/core/streams/streamKey.ts); the state-changing
 * operations and their effect are core's too (src/core/state/streamPolicy.ts).
 */

export type { StreamChange } from '../../core';
export { decodeStreamKey, encodeStreamKey, streamKeyProblem } from '../../core/streams';

/** Entity name; instances are keyed encodeStreamKey(pipeline, stream) (base64url parts: URL-safe, reversible). */
export const STREAM_ENTITY = 'stream';

/** Every operation of the entity, by `kind`: the state-changing ones (core StreamChange), then read and erase. */
export type StreamOperation =
  | StreamChange
  | { kind: 'get'; input?: undefined }
  | { kind: 'reset'; input?: undefined }
  /** From DELETE /api/streams/{pipeline}/{stream}: erases the stream (see the entity's case). */
  | { kind: 'delete'; input?: undefined };
export type StreamOperationKind = StreamOperation['kind'];
export type MergeInput = Extract<StreamOperation, { kind: 'merge' }>['input'];
export type CommitInput = Extract<StreamOperation, { kind: 'commit' }>['input'];
export type FlushInput = Extract<StreamOperation, { kind: 'flush' }>['input'];

/** The operations ingest and the idle timer signal. */
export type StreamSignal = StreamChange;

/** Every operation returns a reply instead of throwing: durable-functions would store JSON.stringify(error), losing the message. */
export type StreamReply =
  | { ok: true; kind: StreamChange['kind']; outcome: string; closedWindows: number; saved: boolean }
  | { ok: true; kind: 'get'; view: StreamView }
  | { ok: true; kind: 'reset' }
  | { ok: true; kind: 'delete' }
  | { ok: false; error: string };

export const streamEntityKey = (pipeline: string, stream: string): string => encodeStreamKey(pipeline, stream);
export const streamEntityId = (pipeline: string, stream: string): df.EntityId =>
  new df.EntityId(STREAM_ENTITY, streamEntityKey(pipeline, stream));

/** The plain names behind an entity key; a key encodeStreamKey did not make (never signalled by the app) yields empty names. */
export const splitStreamKey = (key: string): { pipeline: string; stream: string } =>
  decodeStreamKey(key) ?? { pipeline: '', stream: '' };

/** Signals one operation to a stream entity: the one place an operation becomes the durable operation name. */
export function signalStream(
  client: Pick<df.DurableClient, 'signalEntity'>,
  entity: df.EntityId,
  operation: StreamOperation,
): Promise<void> {
  return client.signalEntity(entity, operation.kind, operation.input);
}

/** Checks of untrusted operation inputs (the entity validates and returns rather than throws). */
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function checkPipeline(op: string, pipeline: unknown): string | undefined {
  if (!isObj(pipeline)) return `${op}: expected pipeline to be a pipeline config object`;
  for (const f of ['windowSizeMs', 'hopMs', 'allowedLatenessMs', 'retention'] as const) {
    if (!isNum(pipeline[f]))
      return `${op}: expected pipeline.${f} to be a number, found ${JSON.stringify(pipeline[f])}`;
  }
  // Senders from before idleTimeout existed omit it: they get the documented default.
  if (
    pipeline['idleTimeoutMs'] !== undefined &&
    !(isNum(pipeline['idleTimeoutMs']) && pipeline['idleTimeoutMs'] >= 0)
  ) {
    return `${op}: expected pipeline.idleTimeoutMs to be a non-negative number, found ${JSON.stringify(pipeline['idleTimeoutMs'])}`;
  }
  if (
    pipeline['version'] !== undefined &&
    !(Number.isInteger(pipeline['version']) && (pipeline['version'] as number) >= 1)
  ) {
    return `${op}: expected pipeline.version to be a positive integer or absent, found ${JSON.stringify(pipeline['version'])}`;
  }
  return undefined;
}

/** Structural check of a merge payload; returns a message naming the first problem. */
export function validateMergeInput(
  input: unknown,
  key: string,
): { ok: true; value: MergeInput } | { ok: false; error: string } {
  if (!isObj(input))
    return {
      ok: false,
      error: `merge: expected { partial, pipeline }, found ${input === null ? 'null' : typeof input}`,
    };
  const { partial, pipeline } = input;
  if (!isObj(partial)) return { ok: false, error: 'merge: expected partial to be an object' };
  const bad = checkPipeline('merge', pipeline);
  if (bad) return { ok: false, error: bad };
  for (const f of ['firstSequence', 'lastSequence', 'firstEventSequence', 'events', 'late', 'invalid'] as const) {
    if (!isNum(partial[f]))
      return { ok: false, error: `merge: expected partial.${f} to be a number, found ${JSON.stringify(partial[f])}` };
  }
  if (typeof partial['partition'] !== 'string')
    return { ok: false, error: 'merge: expected partial.partition to be a string' };
  if (!Array.isArray(partial['windows']) || !isObj(partial['totals']) || !isObj(partial['latency'])) {
    return {
      ok: false,
      error: 'merge: expected partial.windows (array), partial.totals and partial.latency (objects)',
    };
  }
  if (typeof partial['pipeline'] !== 'string' || typeof partial['stream'] !== 'string')
    return { ok: false, error: 'merge: expected partial.pipeline and partial.stream to be strings' };
  const own = decodeStreamKey(key);
  if (own === undefined || own.pipeline !== partial['pipeline'] || own.stream !== partial['stream']) {
    const mine =
      own === undefined
        ? `a key that is not encodeStreamKey(pipeline, stream): ${JSON.stringify(key)}`
        : JSON.stringify(own);
    return {
      ok: false,
      error: `merge: expected a partial for ${mine}, found one for ${JSON.stringify({ pipeline: partial['pipeline'], stream: partial['stream'] })}`,
    };
  }
  return { ok: true, value: input as unknown as MergeInput };
}

/** Structural check of a commit payload. */
export function validateCommitInput(input: unknown): { ok: true; value: CommitInput } | { ok: false; error: string } {
  if (!isObj(input))
    return {
      ok: false,
      error: `commit: expected { partition, firstSequence, lastSequence, pipeline }, found ${input === null ? 'null' : typeof input}`,
    };
  if (typeof input['partition'] !== 'string')
    return {
      ok: false,
      error: `commit: expected partition to be a string, found ${JSON.stringify(input['partition'])}`,
    };
  for (const f of ['firstSequence', 'lastSequence'] as const) {
    if (!isNum(input[f]))
      return { ok: false, error: `commit: expected ${f} to be a number, found ${JSON.stringify(input[f])}` };
  }
  const bad = checkPipeline('commit', input['pipeline']);
  if (bad) return { ok: false, error: bad };
  return { ok: true, value: input as unknown as CommitInput };
}

/** Structural check of a flush payload. */
export function validateFlushInput(input: unknown): { ok: true; value: FlushInput } | { ok: false; error: string } {
  if (!isObj(input) || !isNum(input['now']))
    return { ok: false, error: `flush: expected { now: epoch milliseconds }, found ${JSON.stringify(input)}` };
  return { ok: true, value: input as unknown as FlushInput };
}
