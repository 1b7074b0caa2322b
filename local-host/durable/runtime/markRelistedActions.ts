import { ActionType } from './eventType';

/** Set on an action the SDK listed before in the same result: the task it stands for already has its task id. */
export const relistedFlag = '$relisted';

/**
 * durable-functions adds a newly yielded Task.any/Task.all's whole action, children included, even when
 * some children were scheduled by an earlier yield (the `const done = yield Task.any(pending)` loop); it
 * gives task ids only to children it had not tracked yet. The re-listed children are the very same
 * objects as their first listing, which JSON loses, so this runs on the orchestrator's result before it
 * is serialized and flags every leaf action object seen before. The Azure extension cannot tell them
 * apart and schedules them again (azure-functions-durable-js#574); the local host follows the SDK.
 */
export function markRelistedActions(actions: unknown): unknown {
  const seen = new Set<object>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const action = node as { actionType?: unknown; compoundActions?: unknown };
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      return { ...action, compoundActions: walk(action.compoundActions ?? []) };
    }
    if (seen.has(node)) return { ...action, [relistedFlag]: true };
    seen.add(node);
    return node;
  };
  return walk(actions);
}

/** The orchestrator's returned state with re-listed actions flagged; anything else is returned as is. */
export function markOrchestratorState(result: unknown): unknown {
  if (!result || typeof result !== 'object' || !('actions' in result)) return result;
  return { ...result, actions: markRelistedActions((result as { actions: unknown }).actions) };
}
