import type { Commit, EntityOperationMessage, EntityRecord, StoredMessage } from '../types';
import { entitySchedulerId, parseEntitySchedulerId } from './entityId';
import { EventType } from './eventType';
import { newMessage } from './newMessage';

/** The entity trigger's input for one batch (DurableEntityBindingInfo). */
export function entityBatchInput(
  entityId: string,
  record: EntityRecord | undefined,
  ops: readonly EntityOperationMessage[],
): unknown {
  const { name, key } = parseEntitySchedulerId(entityId);
  return {
    self: { name, key },
    exists: record !== undefined,
    state: record?.state ?? null,
    batch: ops.map((op) => ({ name: op.operation, input: op.input, isSignal: op.isSignal, id: op.requestId })),
  };
}

interface EntityBatchOutput {
  entityExists?: boolean;
  entityState?: string | null;
  results?: { isError?: boolean; result?: string }[];
  signals?: { target: { name: string; key: string }; name: string; input?: string | null }[];
}

/**
 * One commit for a processed batch: the entity's new state (or its deletion), responses to calling
 * orchestrations, signals to other entities, and removal of the consumed operations. Applying it in one
 * transaction is what keeps entity state exact across crashes.
 */
export function entityBatchCommit(
  entityId: string,
  ops: readonly { id: string; body: EntityOperationMessage }[],
  output: EntityBatchOutput | { error: string },
  now: number,
  newId: () => string,
): Commit {
  const addMessages: StoredMessage[] = [];
  const commit: Commit = { deleteMessages: ops.map((o) => o.id), addMessages };
  const failed = 'error' in output;
  ops.forEach((op, i) => {
    if (op.body.isSignal || !op.body.parentInstanceId) return;
    const result = failed ? undefined : output.results?.[i];
    const response =
      failed || !result
        ? {
            result: JSON.stringify(failed ? output.error : 'the entity returned no result for this operation'),
            exceptionType: 'Error',
          }
        : result.isError
          ? { result: result.result ?? JSON.stringify('entity operation failed'), exceptionType: 'Error' }
          : { ...(result.result !== undefined ? { result: result.result } : {}) };
    addMessages.push(
      newMessage(newId(), {
        kind: 'orchestration',
        instanceId: op.body.parentInstanceId,
        event: { EventType: EventType.EventRaised, Name: op.body.requestId, Input: JSON.stringify(response) },
      }),
    );
  });
  if (failed) return commit;
  for (const signal of output.signals ?? []) {
    const target = entitySchedulerId(signal.target.name, signal.target.key);
    addMessages.push(
      newMessage(newId(), {
        kind: 'entity',
        entityId: target,
        operation: signal.name,
        input: signal.input ? signal.input : null,
        isSignal: true,
        requestId: newId(),
      }),
    );
  }
  const { name, key } = parseEntitySchedulerId(entityId);
  if (output.entityExists) {
    commit.putEntities = [
      { entityId, name, key, state: output.entityState ?? null, lastModified: new Date(now).toISOString() },
    ];
  } else {
    commit.deleteEntities = [entityId];
  }
  return commit;
}
