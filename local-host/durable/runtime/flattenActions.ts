import { ActionType } from './eventType';

export interface OrchestratorAction {
  actionType: number;
  compoundActions?: OrchestratorAction[];
  [field: string]: unknown;
}

/**
 * Leaf actions in the order the SDK hands out task ids: depth first through WhenAll/WhenAny, the
 * same walk as TaskOrchestrationExecutor.trackOpenTask.
 */
export function flattenActions(actions: unknown): OrchestratorAction[] {
  const out: OrchestratorAction[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const action = node as OrchestratorAction;
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      walk(action.compoundActions ?? []);
      return;
    }
    out.push(action);
  };
  walk(actions);
  return out;
}

/** Whether the SDK gives this action a sequence number (external events are keyed by name; continueAsNew by none). */
export function consumesTaskId(action: OrchestratorAction): boolean {
  return action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew;
}
