import type { WriteOp } from './writePlan';

/**
 * Closed windows held back at most (WINDOW_WRITE_DELAY): when this many wait, they are written at once. Half of the
 * entity's MAX_UNSAVED_WINDOWS, so held windows never crowd out the ones waiting for a retry, and the entity's state
 * (parsed and written whole on every operation) carries at most ~32 × 1.5 KB of them.
 */
export const MAX_HELD_WINDOWS = 32;

export interface WindowWritePlanInput {
  op: WriteOp;
  now: number;
  /** WINDOW_WRITE_DELAY in ms; 0 = every operation writes the windows it closes (the default). */
  delayMs: number;
  /** Closed windows not in the Windows table after this operation: the held or unsaved ones plus those it closed. */
  waiting: number;
  /** When the held windows are due (state.unsavedDue); undefined = none held, or they wait for a retry after a failure. */
  heldDue: number | undefined;
  /** Some of them wait for a retry (a failed write): always written now. */
  retrying: boolean;
}

/**
 * Whether this operation writes the stream's closed windows now or keeps them in its state, and until when
 * (docs/explanation/table-layout.md, "Deferred window writes"). Held: only with a delay set, on a merge or a commit,
 * while fewer than MAX_HELD_WINDOWS wait and the first of them was held less than the delay ago. A flush (the idle
 * timer's, which comes for held windows once they are due: flushDueOf) always writes, as does a retry.
 */
export function planWindowWrite(input: WindowWritePlanInput): { write: true } | { write: false; due: number } {
  if (input.delayMs <= 0 || input.op === 'flush' || input.waiting === 0 || input.retrying) return { write: true };
  if (input.waiting >= MAX_HELD_WINDOWS) return { write: true };
  const due = input.heldDue ?? input.now + input.delayMs;
  return input.now >= due ? { write: true } : { write: false, due };
}
