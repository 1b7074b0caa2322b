import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DurableRuntime } from '../../local-host/durable/runtime/durableRuntime';
import { entitySchedulerId } from '../../local-host/durable/runtime/entityId';
import { MemoryStore } from '../../local-host/durable/store/memoryStore';
import { SqliteStore } from '../../local-host/durable/store/sqliteStore';
import type { DurableStore } from '../../local-host/durable/types';
import type { HostLogger } from '../../local-host/extension';
import { SdkInvoker } from './sdkInvoker';

const quiet: HostLogger = { debug() {}, info() {}, warn() {}, error: (m) => console.error(m) };

/** A fresh store; `dispose` closes it and removes the SQLite file's temp folder. */
function openBenchStore(kind: 'memory' | 'sqlite'): { store: DurableStore; dispose(): void } {
  if (kind === 'memory') {
    const store = new MemoryStore();
    return { store, dispose: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-durable-'));
  const store = new SqliteStore(join(dir, 'hub.sqlite'));
  return {
    store,
    dispose: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function app(): SdkInvoker {
  return new SdkInvoker()
    .activity('Square', (n) => Number(n) * Number(n))
    .orchestration('FanOut10', function* (ctx) {
      const tasks = Array.from({ length: 10 }, (_, i) => ctx.df.callActivity('Square', i));
      const squares = (yield ctx.df.Task.all(tasks)) as number[];
      return squares.reduce((a, b) => a + b, 0);
    })
    .orchestration('Sequential', function* (ctx) {
      let sum = 0;
      for (let i = 0; i < Number(ctx.df.getInput()); i++) sum += (yield ctx.df.callActivity('Square', i)) as number;
      return sum;
    })
    .entity('Counter', (ctx) => {
      ctx.df.setState(Number(ctx.df.getState(() => 0)) + Number(ctx.df.getInput()));
    });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

/**
 * Seconds from `drive` (starting work on a fresh runtime over the SDK app) until no message is left; `check`
 * then proves the work was really done, so a broken runtime cannot look fast.
 */
async function drainSeconds(
  kind: 'memory' | 'sqlite',
  drive: (runtime: DurableRuntime) => void,
  check: (store: DurableStore) => void,
): Promise<number> {
  const invoker = app();
  const { store, dispose } = openBenchStore(kind);
  const runtime = new DurableRuntime({ store, functions: invoker.functions, invoke: invoker.invoke, logger: quiet });
  runtime.start();
  try {
    const started = process.hrtime.bigint();
    drive(runtime);
    await until(() => runtime.pendingMessages === 0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    check(store);
    return seconds;
  } finally {
    await runtime.stop();
    dispose();
  }
}

/** Completed 10-activity fan-out orchestrations per second, through the real SDK replay. */
export async function orchestrationRate(kind: 'memory' | 'sqlite', count: number): Promise<number> {
  const seconds = await drainSeconds(
    kind,
    (runtime) => {
      for (let i = 0; i < count; i++) runtime.startOrchestration('FanOut10', `o${i}`, null);
    },
    (store) => {
      const done = store.queryInstances({ runtimeStatus: ['Completed'] });
      if (done.length !== count || done.some((r) => r.output !== '285'))
        throw new Error(`fan-out bench: expected ${count} instances completed with 285`);
    },
  );
  return count / seconds;
}

/**
 * Seconds for one orchestration of `steps` sequential activities: one episode per step, each replaying the
 * whole history, so the store's cost per episode (rewriting vs appending history) shows up as the total.
 */
export async function sequentialOrchestrationSeconds(kind: 'memory' | 'sqlite', steps: number): Promise<number> {
  const want = Array.from({ length: steps }, (_, i) => i * i).reduce((a, b) => a + b, 0);
  return drainSeconds(
    kind,
    (runtime) => runtime.startOrchestration('Sequential', 'seq', String(steps)),
    (store) => {
      const done = store.getInstance('seq');
      if (done?.output !== String(want))
        throw new Error(`sequential bench: expected output ${want}, found ${String(done?.output)}`);
    },
  );
}

/** Entity operations per second (signals spread over `entities` counters), checking every counter is exact. */
export async function entityOperationRate(
  kind: 'memory' | 'sqlite',
  operations: number,
  entities: number,
): Promise<number> {
  const seconds = await drainSeconds(
    kind,
    (runtime) => {
      for (let i = 0; i < operations; i++)
        runtime.signalEntity(entitySchedulerId('Counter', `c${i % entities}`), 'add', '1');
    },
    (store) => {
      for (let e = 0; e < entities; e++) {
        const want = Math.floor(operations / entities) + (e < operations % entities ? 1 : 0);
        const state = store.getEntity(entitySchedulerId('Counter', `c${e}`))?.state;
        if (state !== String(want))
          throw new Error(`entity bench: counter c${e} is ${String(state)}, expected ${want}`);
      }
    },
  );
  return operations / seconds;
}

/** Raw SQLite commits per second shaped like an entity batch (state put, message delete, message add). */
export function sqliteCommitRate(commits: number): number {
  const { store, dispose } = openBenchStore('sqlite');
  const started = process.hrtime.bigint();
  for (let i = 0; i < commits; i++) {
    store.commit({
      deleteMessages: [`m${i - 1}`],
      addMessages: [
        {
          id: `m${i}`,
          target: 'ent:@c@k',
          visibleAt: 0,
          body: { kind: 'entity', entityId: '@c@k', operation: 'add', input: '1', isSignal: true, requestId: `r${i}` },
        },
      ],
      putEntities: [
        { entityId: `@c@k${i % 100}`, name: 'c', key: `k${i % 100}`, state: String(i), lastModified: 'now' },
      ],
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  dispose();
  return commits / seconds;
}
