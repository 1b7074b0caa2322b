import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DurableRuntime } from '../../../local-host/durable/runtime/durableRuntime';
import { entitySchedulerId } from '../../../local-host/durable/runtime/entityId';
import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import type { Commit, EntityOperationMessage } from '../../../local-host/durable/types';
import { parseOutput, SdkHarness } from './sdkHarness';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A real SQLite store that records each transaction it commits. */
class RecordingStore extends SqliteStore {
  readonly commits: Commit[] = [];
  override commit(commit: Commit): void {
    super.commit(commit);
    this.commits.push(commit);
  }
}

function setup(): { store: RecordingStore; runtime: DurableRuntime } {
  const store = new RecordingStore(join(mkdtempSync(join(tmpdir(), 'signal-batch-')), 'hub.sqlite'));
  // Not started: nothing consumes the messages, so the store shows exactly what the signals wrote.
  const runtime = new DurableRuntime({
    store,
    functions: [],
    invoke: () => Promise.reject(new Error('not invoked')),
    logger: silent,
  });
  return { store, runtime };
}

const operations = (store: SqliteStore): string[] =>
  store.loadMessages().map((m) => (m.body as EntityOperationMessage).operation);

describe('DurableRuntime.signalEntityBatched', () => {
  it('persists the signals of one event-loop turn in one transaction, in order, before resolving', async () => {
    const { store, runtime } = setup();
    const entity = entitySchedulerId('counter', 'a');
    const settled: string[] = [];
    const pending = ['op1', 'op2', 'op3'].map((op) =>
      runtime.signalEntityBatched(entity, op, String(op.length)).then(() => settled.push(op)),
    );
    expect(store.commits).toHaveLength(0);
    expect(operations(store)).toEqual([]);
    await Promise.all(pending);
    expect(store.commits).toHaveLength(1);
    expect(operations(store)).toEqual(['op1', 'op2', 'op3']);
    expect(settled).toEqual(['op1', 'op2', 'op3']);
    store.close();
  });

  it('writes queued signals before a later commit so it cannot overtake them', async () => {
    const { store, runtime } = setup();
    const entity = entitySchedulerId('counter', 'a');
    const first = runtime.signalEntityBatched(entity, 'first', null);
    runtime.signalEntity(entity, 'second', null);
    await first;
    expect(operations(store)).toEqual(['first', 'second']);
    store.close();
  });

  it('rejects every waiting signal when the transaction fails, so none is acknowledged', async () => {
    const { store, runtime } = setup();
    store.close();
    const entity = entitySchedulerId('counter', 'a');
    const results = await Promise.allSettled([
      runtime.signalEntityBatched(entity, 'x', null),
      runtime.signalEntityBatched(entity, 'y', null),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('entity batch results written behind', () => {
  it('keep every counter exact and share transactions between the batches of one turn', async () => {
    const store = new RecordingStore(join(mkdtempSync(join(tmpdir(), 'signal-batch-')), 'hub.sqlite'));
    const h = new SdkHarness().entity('Counter', (ctx) => {
      ctx.df.setState((ctx.df.getState(() => 0) as number) + Number(ctx.df.getInput()));
    });
    const rt = h.start(store);
    try {
      const counters = Array.from({ length: 20 }, (_, i) => entitySchedulerId('Counter', `c${i}`));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => rt.signalEntityBatched(counters[i % 20] ?? '', 'add', String(i % 7))),
      );
      const expected = counters.map((_, c) =>
        Array.from({ length: 10 }, (_, k) => (c + 20 * k) % 7).reduce((a, b) => a + b, 0),
      );
      const states = (): unknown[] => counters.map((id) => parseOutput(rt.store.getEntity(id)?.state ?? null));
      const until = Date.now() + 20_000;
      while (JSON.stringify(states()) !== JSON.stringify(expected) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 10));
      expect(states()).toEqual(expected);
      expect(rt.store.loadMessages()).toEqual([]);
      const batches = h.logs.filter((l) => / processed \d+ operations$/.test(l)).length;
      const entityCommits = store.commits.filter((c) => (c.putEntities?.length ?? 0) > 0);
      expect(entityCommits.reduce((n, c) => n + (c.putEntities?.length ?? 0), 0)).toBe(batches);
      expect(entityCommits.length).toBeLessThan(batches);
      expect(store.commits.every((c) => !(c.putEntities?.length && c.putInstances?.length))).toBe(true);
    } finally {
      await h.stop();
    }
  });
});
