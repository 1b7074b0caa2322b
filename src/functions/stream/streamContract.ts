import * as df from 'durable-functions';
import { z } from 'zod';

import {
  decodeStreamKey,
  encodeStreamKey,
  isPackedWindows,
  packWindows,
  type StreamChange,
  type StreamView,
  unpackPendingWindows,
} from '../../core';

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

/**
 * Signals one operation to a stream entity: the one place an operation becomes the durable operation name. A merge's
 * windows go packed (core packWindows, as the entity stores a pending partial's windows) where they pack: the input is
 * stringified, stored, escaped into the entity's trigger and parsed twice, and a sparse stream's windows take a third
 * as many characters packed. The entity reads either form (validateMergeInput).
 */
export function signalStream(
  client: Pick<df.DurableClient, 'signalEntity'>,
  entity: df.EntityId,
  operation: StreamOperation,
): Promise<void> {
  if (operation.kind === 'merge') {
    const { partial } = operation.input;
    const packed = partial.windows.length > 0 ? packWindows(partial.windows) : undefined;
    if (packed)
      return client.signalEntity(entity, 'merge', { ...operation.input, partial: { ...partial, windows: packed } });
  }
  return client.signalEntity(entity, operation.kind, operation.input);
}

/** Checks of untrusted operation inputs (the entity validates and returns rather than throws). */
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/*
 * The operation inputs as zod schemas. They check the envelope the entity reads (as the hand-written checks did before
 * them); the contents of windows, totals and latency come from this app's own ingest and are trusted. Each field names
 * its own message, so a rejected input is answered with the first issue's message: "<op>: expected ..., found ...".
 */
const found = (expected: string) => (issue: { input?: unknown }) => `${expected}, found ${JSON.stringify(issue.input)}`;
const typeOf = (value: unknown): string => (value === null ? 'null' : typeof value);
const finite = (message: (issue: { input?: unknown }) => string) => z.number({ error: message });

/** The pipeline config a merge or commit carries: the fields the entity reads, other fields kept. */
export function pipelineInputSchema(op: string) {
  const num = (f: string) => finite(found(`${op}: expected pipeline.${f} to be a number`));
  const idle = found(`${op}: expected pipeline.idleTimeoutMs to be a non-negative number`);
  const version = found(`${op}: expected pipeline.version to be a positive integer or absent`);
  return z.looseObject(
    {
      windowSizeMs: num('windowSizeMs'),
      hopMs: num('hopMs'),
      allowedLatenessMs: num('allowedLatenessMs'),
      retention: num('retention'),
      // Senders from before idleTimeout existed omit it: they get the documented default.
      idleTimeoutMs: z.number({ error: idle }).min(0, { error: idle }).optional(),
      version: z.number({ error: version }).int({ error: version }).min(1, { error: version }).optional(),
    },
    { error: `${op}: expected pipeline to be a pipeline config object` },
  );
}

const partialNum = (f: string) => finite(found(`merge: expected partial.${f} to be a number`));
const PARTIAL_PARTS =
  'merge: expected partial.windows (an array, or { packed }), partial.totals and partial.latency (objects)';
const PARTIAL_NAMES = 'merge: expected partial.pipeline and partial.stream to be strings';
const partialSchema = z.looseObject(
  {
    firstSequence: partialNum('firstSequence'),
    lastSequence: partialNum('lastSequence'),
    firstEventSequence: partialNum('firstEventSequence'),
    events: partialNum('events'),
    late: partialNum('late'),
    invalid: partialNum('invalid'),
    partition: z.string({ error: 'merge: expected partial.partition to be a string' }),
    windows: z.union([z.array(z.unknown()), z.custom((v) => isPackedWindows(v))], { error: PARTIAL_PARTS }),
    totals: z.looseObject({}, { error: PARTIAL_PARTS }),
    latency: z.looseObject({}, { error: PARTIAL_PARTS }),
    pipeline: z.string({ error: PARTIAL_NAMES }),
    stream: z.string({ error: PARTIAL_NAMES }),
  },
  { error: 'merge: expected partial to be an object' },
);

/** A merge: first that partial is an object and the pipeline config is sound, then the partial's fields (the pipe keeps that order). */
export const mergeInputSchema = z
  .object(
    {
      partial: z.looseObject({}, { error: 'merge: expected partial to be an object' }),
      pipeline: pipelineInputSchema('merge'),
    },
    { error: (issue) => `merge: expected { partial, pipeline }, found ${typeOf(issue.input)}` },
  )
  .pipe(z.object({ partial: partialSchema, pipeline: pipelineInputSchema('merge') }));

export const commitInputSchema = z.object(
  {
    partition: z.string({ error: found('commit: expected partition to be a string') }),
    firstSequence: finite(found('commit: expected firstSequence to be a number')),
    lastSequence: finite(found('commit: expected lastSequence to be a number')),
    pipeline: pipelineInputSchema('commit'),
  },
  {
    error: (issue) =>
      `commit: expected { partition, firstSequence, lastSequence, pipeline }, found ${typeOf(issue.input)}`,
  },
);

// One message for every flush problem, showing the whole input (the schema-level message reads the input as given).
const flushMessage = (input: unknown) => `flush: expected { now: epoch milliseconds }, found ${JSON.stringify(input)}`;
export const flushInputSchema = z.object({ now: z.number() });

/** What each schema checks, as types (the entity hands core the fuller core types: StreamChange). */
export type MergeInputChecked = z.infer<typeof mergeInputSchema>;
export type CommitInputChecked = z.infer<typeof commitInputSchema>;
export type FlushInputChecked = z.infer<typeof flushInputSchema>;

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses with a schema; a failure is the first issue's message (every field of these schemas names its own). */
function check<T>(schema: z.ZodType, input: unknown, fallback: (input: unknown) => string): Checked<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as T };
  return { ok: false, error: parsed.error.issues[0]?.message ?? fallback(input) };
}

/**
 * Structural check of a merge payload, then that the partial is this entity's stream; returns a message naming the
 * first problem. Packed windows (signalStream) come back as the array they were packed from.
 */
export function validateMergeInput(input: unknown, key: string): Checked<MergeInput> {
  const checked = check<MergeInput>(mergeInputSchema, input, () => 'merge: expected { partial, pipeline }');
  if (!checked.ok) return checked;
  const { partial } = checked.value;
  const windows: unknown = partial.windows;
  if (isPackedWindows(windows)) {
    try {
      partial.windows = unpackPendingWindows(windows);
    } catch (err) {
      return {
        ok: false,
        error: `merge: expected partial.windows to be readable packed windows, found: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  const own = decodeStreamKey(key);
  if (own === undefined || own.pipeline !== partial.pipeline || own.stream !== partial.stream) {
    const mine =
      own === undefined
        ? `a key that is not encodeStreamKey(pipeline, stream): ${JSON.stringify(key)}`
        : JSON.stringify(own);
    return {
      ok: false,
      error: `merge: expected a partial for ${mine}, found one for ${JSON.stringify({ pipeline: partial.pipeline, stream: partial.stream })}`,
    };
  }
  return checked;
}

/** Structural check of a commit payload. */
export function validateCommitInput(input: unknown): Checked<CommitInput> {
  return check<CommitInput>(
    commitInputSchema,
    input,
    () => 'commit: expected { partition, firstSequence, lastSequence, pipeline }',
  );
}

/** Structural check of a flush payload. */
export function validateFlushInput(input: unknown): Checked<FlushInput> {
  const checked = check<FlushInput>(flushInputSchema, input, flushMessage);
  return checked.ok ? checked : { ok: false, error: flushMessage(input) };
}
