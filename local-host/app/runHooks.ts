import type { HookCallback } from './coreTypes';

/** Runs hooks one after another, awaiting each, as the worker's executeHooks does. */
export async function runHooks(callbacks: readonly HookCallback[], context: Record<string, unknown>): Promise<void> {
  for (const callback of [...callbacks]) await callback(context);
}
