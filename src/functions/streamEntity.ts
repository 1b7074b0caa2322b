import type { EntityContext, EntityHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { type ClosedWindow, initialStreamState, mergePartial, type PipelineConfig, type StreamPartial, type StreamState, type StreamView, streamView } from '../core';
import { createStores, type Stores,type StreamCatalogEntry } from '../storage';

/** Entity name; instances are keyed `{pipeline}|{stream}` (pipeline names cannot contain '|'). */
export const STREAM_ENTITY = 'stream';

export type StreamOperation =
  | { kind: 'merge'; input: { partial: StreamPartial; pipeline: PipelineConfig } }
  | { kind: 'get'; input?: undefined }
  | { kind: 'reset'; input?: undefined };
export type StreamOperationKind = StreamOperation['kind'];
export type MergeInput = Extract<StreamOperation, { kind: 'merge' }>['input'];

/** Every operation returns a reply instead of throwing: durable-functions would store JSON.stringify(error), losing the message. */
export type StreamReply =
  | { ok: true; kind: 'merge'; outcome: string; closedWindows: number; saved: boolean }
  | { ok: true; kind: 'get'; view: StreamView }
  | { ok: true; kind: 'reset' }
  | { ok: false; error: string };

export const streamEntityKey = (pipeline: string, stream: string): string => `${pipeline}|${stream}`;
export const streamEntityId = (pipeline: string, stream: string): df.EntityId => new df.EntityId(STREAM_ENTITY, streamEntityKey(pipeline, stream));

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Structural check of a merge payload; returns a message naming the first problem. */
export function validateMergeInput(input: unknown, key: string): { ok: true; value: MergeInput } | { ok: false; error: string } {
  if (!isObj(input)) return { ok: false, error: `merge: expected { partial, pipeline }, found ${input === null ? 'null' : typeof input}` };
  const { partial, pipeline } = input;
  if (!isObj(partial)) return { ok: false, error: 'merge: expected partial to be an object' };
  if (!isObj(pipeline)) return { ok: false, error: 'merge: expected pipeline to be a pipeline config object' };
  for (const f of ['windowSizeMs', 'hopMs', 'allowedLatenessMs', 'retention'] as const) {
    if (!isNum(pipeline[f])) return { ok: false, error: `merge: expected pipeline.${f} to be a number, found ${JSON.stringify(pipeline[f])}` };
  }
  for (const f of ['firstSequence', 'lastSequence', 'firstEventSequence', 'events', 'late', 'invalid'] as const) {
    if (!isNum(partial[f])) return { ok: false, error: `merge: expected partial.${f} to be a number, found ${JSON.stringify(partial[f])}` };
  }
  if (typeof partial['partition'] !== 'string') return { ok: false, error: 'merge: expected partial.partition to be a string' };
  if (!Array.isArray(partial['windows']) || !isObj(partial['totals']) || !isObj(partial['latency'])) {
    return { ok: false, error: 'merge: expected partial.windows (array), partial.totals and partial.latency (objects)' };
  }
  const expectedKey = streamEntityKey(String(partial['pipeline']), String(partial['stream']));
  if (expectedKey !== key) return { ok: false, error: `merge: expected a partial for ${key}, found one for ${expectedKey}` };
  return { ok: true, value: input as unknown as MergeInput };
}

function loadState(context: EntityContext<StreamState>): StreamState {
  const state = context.df.getState(initialStreamState);
  return state && state.version === 1 ? state : initialStreamState();
}

/** The catalog row of a stream, from its live view: the exact total (committed + pending) and the recent arrival rate. */
export function catalogEntry(pipeline: string, stream: string, view: StreamView, now: number): StreamCatalogEntry {
  return {
    pipeline,
    stream,
    lastSeen: new Date(view.watermark ?? now).toISOString(),
    events: view.events,
    eventsPerSec: view.metrics.eventsPerSec,
  };
}

/** The stores the entity writes: closed windows and its catalog row. */
export type StreamEntityStores = Pick<Stores, 'windows' | 'streams'>;

/** Builds the entity handler; the stores are injected so tests can use memory or Azurite-backed stores. */
export function createStreamEntityHandler(stores: () => StreamEntityStores, now: () => number = Date.now): EntityHandler<StreamState> {
  const handler = async (context: EntityContext<StreamState>): Promise<void> => {
    const kind = context.df.operationName as StreamOperationKind;
    const key = context.df.entityKey;
    switch (kind) {
      case 'merge': {
        const checked = validateMergeInput(context.df.getInput(), key);
        if (!checked.ok) {
          context.warn(`stream entity ${key}: ${checked.error}`);
          context.df.return({ ok: false, error: checked.error } satisfies StreamReply);
          return;
        }
        const at = now();
        const result = mergePartial(loadState(context), checked.value.partial, at, checked.value.pipeline);
        const toSave: ClosedWindow[] = [...(result.state.unsaved ?? []), ...result.closedWindows];
        let saved = true;
        if (toSave.length > 0) {
          try {
            // Idempotent upsert keyed by window start, so re-running this operation after a crash is harmless.
            await stores().windows.upsert(key, toSave.map((w) => ({ start: w.start, end: w.end, data: w })));
            delete result.state.unsaved;
          } catch (e) {
            saved = false;
            result.state.unsaved = toSave;
            context.error(`stream entity ${key}: saving ${toSave.length} closed window(s) failed, will retry: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        context.df.setState(result.state);
        if (result.outcome !== 'ignored') {
          // Only the entity knows the exact total, so it keeps the catalog row; operations of one entity run one at a
          // time, so the last write is the newest total. A failed write is repaired by the stream's next operation.
          const { pipeline, stream } = checked.value.partial;
          try {
            await stores().streams.touch([catalogEntry(pipeline, stream, streamView(result.state), at)]);
          } catch (e) {
            context.warn(`stream entity ${key}: updating the Streams catalog failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        context.df.return({ ok: true, kind, outcome: result.outcome, closedWindows: result.closedWindows.length, saved } satisfies StreamReply);
        return;
      }
      case 'get':
        context.df.return({ ok: true, kind, view: streamView(loadState(context)) } satisfies StreamReply);
        return;
      case 'reset': {
        context.df.setState(initialStreamState());
        // Keep the catalog consistent with the entity: a reset stream lists with a zero total.
        const split = key.indexOf('|');
        try {
          await stores().streams.touch([catalogEntry(key.slice(0, split), key.slice(split + 1), streamView(initialStreamState()), now())]);
        } catch (e) {
          context.warn(`stream entity ${key}: updating the Streams catalog failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        context.df.return({ ok: true, kind } satisfies StreamReply);
        return;
      }
      default: {
        const unknown: never = kind;
        context.df.return({ ok: false, error: `unknown operation ${JSON.stringify(unknown)}: expected merge, get or reset` } satisfies StreamReply);
      }
    }
  };
  return handler as EntityHandler<StreamState>;
}

let stores: StreamEntityStores | undefined;
const defaultStores = (): StreamEntityStores => (stores ??= createStores());

/** The handler the app registers (exported so tests drive exactly it, through durable-functions' Entity class). */
export const streamEntityHandler = createStreamEntityHandler(defaultStores);
df.app.entity(STREAM_ENTITY, streamEntityHandler);
