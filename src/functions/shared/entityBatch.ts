import { app, type InvocationContext } from '@azure/functions';
import type { DurableEntityContext, EntityContext, EntityHandler, EntityId } from 'durable-functions';
import * as df from 'durable-functions';

/**
 * An entity function that runs a batch of operations with the entity's state parsed once and serialized once, instead
 * of once each per operation (docs/explanation/entity-batches.md).
 *
 * durable-functions' Entity class hands each operation `getState` (JSON.parse of the state text) and `setState`
 * (JSON.stringify): a batch of n operations on a 10-400 KB stream state pays n parses and n serializations. This runs
 * the same protocol (the entity trigger's input in, its EntityState out: same results, signals and errors) but keeps
 * the parsed state between the operations of a batch. The handler must not change the state it read without calling
 * setState (the stream entity does not: each operation ends in setState or leaves the state alone).
 *
 * An operation that throws falls back to exactly the library's semantics: the batch is run again from its stored state
 * with the state serialized after every operation, so the failed operation's partial changes are dropped and the others
 * keep theirs. The operations before it run twice; entity operations must already tolerate that (a crash redoes a
 * whole batch), as the stream entity's writes are idempotent upserts.
 *
 * Between batches the function keeps each entity's parsed state with the text it returned for it (ParsedStates): when
 * the host hands exactly that text back, as it does when nothing else ran the entity meanwhile, the state is not
 * parsed again.
 */

/** The entity trigger's input (durable-functions' DurableEntityBindingInfo). */
interface EntityTriggerInput {
  self: { name: string; key: string };
  exists: boolean;
  state?: string | null;
  batch: { name: string; input?: string | null; isSignal?: boolean; id?: string }[];
}

/** One operation's result, as durable-functions' OperationResult. */
export interface EntityOperationResult {
  isError: boolean;
  duration: number;
  startTime: number;
  result?: string;
}

/** What the entity function returns to the host, as durable-functions' EntityState. */
export interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string;
  results: EntityOperationResult[];
  signals: { target: EntityId; name: string; input: string; requestId?: string; requestTime: number }[];
}

/** Thrown out of the live run when an operation fails, to start the serialize-every-operation run. */
class OperationFailed extends Error {}

/**
 * How much state text the cache of parsed states holds (UTF-16 units, summed over entities): the stream states of the
 * replay benchmark (220 streams) total about 10 M; the parsed objects take a few times their text in memory.
 */
export const PARSED_STATES_MAX_TEXT = 32 * 1024 * 1024;

/**
 * The parsed state of the entities this function ran last, each with the exact text it returned for it, least
 * recently used first. An entry is taken out while its entity runs (the handler mutates the object), so a second,
 * concurrent batch of the same entity (which the runtimes never start) would parse its own copy; it is put back only
 * when the run succeeded, with the text returned to the host. The host's next trigger reuses it only if its state is
 * that text, character for character: a state written by another worker, or a result the host never committed, is
 * another text and is parsed.
 */
export class ParsedStates {
  private readonly entries = new Map<string, { text: string; value: unknown }>();
  private size = 0;

  constructor(private readonly maxText = PARSED_STATES_MAX_TEXT) {}

  /** The parsed `text` of `entity` if it is cached, removed from the cache until `put`. */
  take(entity: string, text: string): { value: unknown } | undefined {
    const entry = this.entries.get(entity);
    if (entry === undefined) return undefined;
    this.entries.delete(entity);
    this.size -= entry.text.length;
    return entry.text === text ? { value: entry.value } : undefined;
  }

  put(entity: string, text: string, value: unknown): void {
    if (text.length > this.maxText) return;
    this.entries.set(entity, { text, value });
    this.size += text.length;
    for (const [key, entry] of this.entries) {
      if (this.size <= this.maxText) break;
      this.entries.delete(key);
      this.size -= entry.text.length;
    }
  }

  /** Entities cached (for tests and metrics). */
  get count(): number {
    return this.entries.size;
  }
}

function readTrigger(trigger: unknown): EntityTriggerInput {
  const t = trigger as Partial<EntityTriggerInput> | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.self?.name !== 'string' ||
    typeof t.self.key !== 'string' ||
    typeof t.exists !== 'boolean' ||
    !Array.isArray(t.batch)
  )
    throw new Error(
      `entity trigger: expected { self: { name, key }, exists, state, batch: [...] }, found ${JSON.stringify(trigger)?.slice(0, 200)}`,
    );
  return t as EntityTriggerInput;
}

/**
 * Runs the batch. `live`: the state object is kept between operations and serialized once at the end; an operation
 * that throws aborts the run (OperationFailed). Otherwise: the library's behaviour (parse per getState, serialize per
 * setState, a failed operation recorded and the batch carrying on with the last state set).
 */
async function runBatch<T>(
  handler: EntityHandler<T>,
  binding: EntityTriggerInput,
  context: InvocationContext,
  live: boolean,
  cache?: ParsedStates,
): Promise<EntityBatchResult> {
  const out: EntityBatchResult = { entityExists: binding.exists, results: [], signals: [] };
  let text: string | undefined = binding.state ?? undefined;
  const entity = `@${binding.self.name}@${binding.self.key}`;
  /** The parsed state, when it is newer than (or the parse of) `text`. */
  let parsed: { value: T } | undefined;
  /** The parse of `text` this function kept from the entity's last batch, until the handler reads it. */
  let cached = live && text ? (cache?.take(entity, text) as { value: T } | undefined) : undefined;
  for (let i = 0; i < binding.batch.length; i++) {
    const op = binding.batch[i]!;
    const started = Date.now();
    const dfContext: DurableEntityContext<T> = {
      entityName: binding.self.name,
      entityKey: binding.self.key,
      entityId: binding.self as EntityId,
      operationName: op.name,
      isNewlyConstructed: !out.entityExists,
      getState: (initializer) => {
        if (parsed) return parsed.value;
        if (cached) {
          parsed = cached;
          return parsed.value;
        }
        if (text) {
          const value = JSON.parse(text) as T;
          if (live) parsed = { value };
          return value;
        }
        return initializer?.();
      },
      setState: (state) => {
        out.entityExists = true;
        if (live) parsed = { value: state };
        else text = JSON.stringify(state);
      },
      getInput: <TInput>() => (op.input ? (JSON.parse(op.input) as TInput) : undefined),
      return: (result) => {
        out.entityExists = true;
        out.results[i] = {
          isError: false,
          duration: Date.now() - started,
          startTime: started,
          result: JSON.stringify(result),
        };
      },
      destructOnExit: () => {
        out.entityExists = false;
        text = undefined;
        parsed = undefined;
        cached = undefined;
      },
      signalEntity: (entity, operationName, operationInput) => {
        out.signals.push({
          target: entity,
          name: operationName,
          input: operationInput ? JSON.stringify(operationInput) : '',
          ...(op.id === undefined ? {} : { requestId: op.id }),
          requestTime: Date.now(),
        });
      },
    };
    (context as EntityContext<T>).df = dfContext;
    try {
      await handler(context as EntityContext<T>);
      out.results[i] ??= { isError: false, duration: Date.now() - started, startTime: started };
    } catch (error) {
      if (live) throw new OperationFailed();
      out.results[i] = {
        isError: true,
        duration: Date.now() - started,
        startTime: started,
        result: JSON.stringify(error),
      };
    }
  }
  if (parsed) text = JSON.stringify(parsed.value);
  if (out.entityExists && text !== undefined) {
    out.entityState = text;
    // The state read (and maybe changed) with the text just made of it; or, when no operation read it, as it was.
    const kept = parsed ?? (text === binding.state ? cached : undefined);
    if (kept) cache?.put(entity, text, kept.value);
  }
  return out;
}

/** The entity function for `handler`, as df.app.entity would register it, with the state kept between operations. */
export function batchedEntityFunction<T>(
  handler: EntityHandler<T>,
): (trigger: unknown, context: InvocationContext) => Promise<EntityBatchResult> {
  const cache = new ParsedStates();
  return async (trigger, context) => {
    const binding = readTrigger(trigger);
    try {
      return await runBatch(handler, binding, context, true, cache);
    } catch (err) {
      if (!(err instanceof OperationFailed)) throw err;
      return runBatch(handler, binding, context, false);
    }
  };
}

/** df.app.entity with batchedEntityFunction: the same trigger, the same protocol. */
export function registerBatchedEntity<T>(name: string, handler: EntityHandler<T>): void {
  app.generic(name, { trigger: df.trigger.entity(), handler: batchedEntityFunction(handler) });
}
