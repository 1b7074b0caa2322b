import type { Stores } from './storage/types';

/**
 * Process-wide substitutes that only the deterministic simulator (tools/sim, docs/explanation/simulator.md) installs.
 * It loads the app through the local host's loader, exactly as deployed, so it cannot pass dependencies in; these are
 * read at call time and are unset everywhere else, where each use falls back to the real thing.
 */
export interface SimulationHooks {
  /** The stores createStores returns (the simulator's fault-injecting memory stores). */
  stores?(): Stores;
  /** Backoff waits (retryTransient, the metrics writer) on the simulator's virtual clock. */
  sleep?(ms: number): Promise<void>;
  /** A deliberately planted bug, to prove the simulator finds it (never set outside its tests). */
  plantedBug?: 'commit-pending-twice';
}

const KEY = Symbol.for('streamfold.simulationHooks');
type WithHooks = typeof globalThis & { [KEY]?: SimulationHooks };

export const simulationHooks = (): SimulationHooks | undefined => (globalThis as WithHooks)[KEY];

/** Installs (or with undefined removes) the hooks for the whole process. */
export function installSimulationHooks(hooks: SimulationHooks | undefined): void {
  if (hooks === undefined) delete (globalThis as WithHooks)[KEY];
  else (globalThis as WithHooks)[KEY] = hooks;
}
