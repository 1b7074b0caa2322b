import type { Stores } from '../../src/storage/types';
import type { Rng } from './rng';

export interface StoreFaults {
  /** Probability that a call fails with a 503 before reaching the table. */
  transient: number;
  /** Probability that a call reaches the table and then fails with a timeout (the write happened; the caller cannot tell). */
  timeout: number;
  /** Probability that the process dies while this call is awaited (a crash at an await point). */
  crash: number;
  /** Probability that a call takes extra event-loop turns (reorders it against concurrent work). */
  slow: number;
}

export interface FaultSink {
  count(kind: string): void;
  /** Called inside the store call that decided to crash: the process must die at once. */
  crash(where: string): void;
}

/** What the simulator watches in the stores' traffic. */
export interface StoreObserver {
  windowUpserted(entityKey: string, start: number, content: unknown): void;
  /** Dead letters the table took (also when the call then timed out). */
  deadLettered(records: readonly { partition: string; sequenceNumber: number; reason: string }[]): void;
  /** Dead letters the table deleted as withdrawn (a redelivery aggregated their events). */
  withdrawn(keys: readonly { partition: string; sequenceNumber: number }[]): void;
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});
const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * One host process's view of the shared memory stores (the Table storage that survives crashes): each call may be
 * slowed, fail before or after it reaches the table, or kill the process. Once `alive()` is false every call hangs, as
 * a dead process's awaits do. Faults are drawn only while `faultsOn()` (the drain at the end runs clean).
 */
export function faultyStores(
  base: Stores,
  rng: Rng,
  faults: StoreFaults,
  sink: FaultSink,
  observer: StoreObserver,
  alive: () => boolean,
  faultsOn: () => boolean,
): Stores {
  const wrap = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          if (!alive()) return never();
          const on = faultsOn();
          if (on && rng.chance(faults.slow)) {
            sink.count('slow-store');
            for (let i = rng.range(1, 4); i > 0; i--) await turn();
            if (!alive()) return never();
          }
          if (on && rng.chance(faults.crash)) {
            sink.count('crash-at-await');
            sink.crash(`${name}.${prop}`);
            return never();
          }
          if (on && rng.chance(faults.transient)) {
            sink.count('table-transient');
            throw Object.assign(new Error(`simulated: ${name}.${prop} failed with 503 Server Busy`), {
              statusCode: 503,
            });
          }
          if (name === 'windows' && prop === 'upsert') {
            const [key, rows] = args as [string, { start: number; data: unknown }[]];
            for (const r of rows) observer.windowUpserted(key, r.start, r.data);
          }
          const result = await method.apply(target, args);
          if (name === 'deadLetters' && prop === 'add')
            observer.deadLettered(args[0] as { partition: string; sequenceNumber: number; reason: string }[]);
          if (name === 'deadLetters' && prop === 'withdraw')
            observer.withdrawn(args[0] as { partition: string; sequenceNumber: number }[]);
          if (!alive()) return never();
          if (on && rng.chance(faults.timeout)) {
            sink.count('table-timeout');
            throw Object.assign(new Error(`simulated: ${name}.${prop} timed out after the table applied it`), {
              code: 'ETIMEDOUT',
            });
          }
          return result;
        };
      },
    });
  return Object.fromEntries(
    Object.entries(base).map(([name, store]) => [name, wrap(name, store as object)]),
  ) as unknown as Stores;
}
