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
): Promise<EntityBatchResult> {
  const out: EntityBatchResult = { entityExists: binding.exists, results: [], signals: [] };
  let text: string | undefined = binding.state ?? undefined;
  /** The parsed state, when it is newer than (or the parse of) `text`. */
  let parsed: { value: T } | undefined;
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
  if (out.entityExists && text !== undefined) out.entityState = text;
  return out;
}

/** The entity function for `handler`, as df.app.entity would register it, with the state kept between operations. */
export function batchedEntityFunction<T>(
  handler: EntityHandler<T>,
): (trigger: unknown, context: InvocationContext) => Promise<EntityBatchResult> {
  return async (trigger, context) => {
    const binding = readTrigger(trigger);
    try {
      return await runBatch(handler, binding, context, true);
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
