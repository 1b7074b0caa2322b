import { InvocationContext } from '@azure/functions';
import type { EntityHandler } from 'durable-functions';
import * as df from 'durable-functions';

import { mergeEncodedSketches, type StreamState } from '../../src/core';
import type { IngestDeps } from '../../src/functions/ingest/ingest';
import { batchedEntityFunction, type EntityBatchResult, ParsedStates } from '../../src/functions/shared/entityBatch';
import { STREAM_ENTITY, type StreamSignal } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores, type Stores } from '../../src/storage';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { captureRegistration, deliver, ingestProcess, type RegisteredEntityFunction } from './entityDriver';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const NOW = T0 + 24 * 3_600_000;

type Op = { name: string; input: unknown };

/** Runs operations on entities as the host does: each entity's state as JSON between batches, one batch per call. */
class BatchRunner {
  readonly states = new Map<string, string>();
  constructor(
    private readonly fn: RegisteredEntityFunction,
    readonly name = STREAM_ENTITY,
  ) {}

  async run(key: string, ops: Op[]): Promise<EntityBatchResult> {
    const trigger = {
      self: { name: this.name, key },
      exists: this.states.has(key),
      state: this.states.get(key) ?? null,
      batch: ops.map((op, i) => ({
        name: op.name,
        input: op.input === undefined ? null : JSON.stringify(op.input),
        isSignal: true,
        id: `op-${i}`,
      })),
    };
    const context = new InvocationContext({ functionName: this.name, invocationId: key, logHandler: () => undefined });
    const out = (await this.fn(trigger, context)) as EntityBatchResult;
    if (out.entityExists && out.entityState !== undefined) this.states.set(key, out.entityState);
    else this.states.delete(key);
    return out;
  }
}

/** The stream entity's operations for a replay-like history: 3 streams, 3 partitions round robin, hourly windows. */
async function recordedOperations(): Promise<{ key: string; op: StreamSignal }[]> {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  await stores.pipelines.put('default', {
    match: 'type(stream) == string',
    key: 'stream',
    time: 'time',
    measures: { value: 'value' },
    window: { type: 'tumbling', size: 'PT1H' },
    lateness: 'PT5M',
  });
  const signals: { key: string; op: StreamSignal }[] = [];
  const deps: IngestDeps = {
    ...ingestProcess(stores),
    now: () => NOW,
    // The deliveries' enqueued time is fixed; the history runs ahead of it.
    maxFutureSkewMs: 86_400_000,
    signal: async (_c, entity, op) => void signals.push({ key: entity.key, op }),
  };
  const sequences = [0, 0, 0];
  let minute = 0;
  for (let batch = 0; batch < 12; batch++) {
    const partition = batch % 3;
    const bodies = Array.from({ length: 9 }, (_, i) =>
      JSON.stringify({
        stream: ['a', 'b', 'c'][i % 3],
        time: new Date(T0 + (minute += 7) * 60_000).toISOString(),
        value: (batch * 9 + i) % 17,
      }),
    );
    await deliver(deps, String(partition), sequences[partition]!, bodies);
    // Every fourth batch is delivered again (a redelivery before the checkpoint): 'replaced' outcomes.
    if (batch % 4 === 3) await deliver(deps, String(partition), sequences[partition]!, bodies);
    sequences[partition]! += bodies.length;
  }
  await deps.metrics.flush();
  return signals;
}

function streamStores(): Pick<Stores, 'windows' | 'streams' | 'deadLetters' | 'activity' | 'windowVersions'> {
  const stores = createMemoryStores({ mergeLatencySketches: mergeEncodedSketches });
  return { ...stores, activity: new MemoryStreamActivityStore() };
}

describe('batchedEntityFunction: the state parsed at most once and serialized once per batch', () => {
  it('gives the stream entity the same states, replies and rows in batches as one operation at a time through durable-functions', async () => {
    const signals = await recordedOperations();
    const keys = [...new Set(signals.map((s) => s.key))];
    expect(keys).toHaveLength(3);
    // Between the recorded operations: a get, an invalid merge (refused) and a flush, in the middle of batches.
    const opsOf = (key: string): Op[] => {
      const ops: Op[] = signals.filter((s) => s.key === key).map((s) => ({ name: s.op.kind, input: s.op.input }));
      ops.splice(3, 0, { name: 'get', input: undefined }, { name: 'merge', input: { partial: 'not a partial' } });
      ops.push({ name: 'flush', input: { now: NOW + 3_600_000 } }, { name: 'get', input: undefined });
      return ops;
    };
    const sdkStores = streamStores();
    const batchStores = streamStores();
    const sdk = new BatchRunner(
      captureRegistration(() =>
        df.app.entity(
          STREAM_ENTITY,
          createStreamEntityHandler(
            () => sdkStores,
            () => NOW,
          ),
        ),
      ),
    );
    const batched = new BatchRunner(
      batchedEntityFunction(
        createStreamEntityHandler(
          () => batchStores,
          () => NOW,
        ),
      ),
    );
    for (const key of keys) {
      const ops = opsOf(key);
      expect(ops.length).toBeGreaterThan(8);
      const sdkResults: unknown[] = [];
      for (const op of ops) sdkResults.push(...(await sdk.run(key, [op])).results.map((r) => [r.isError, r.result]));
      // Batches of 1, 2, 3, ... operations.
      const batchedResults: unknown[] = [];
      for (let i = 0, size = 1; i < ops.length; i += size, size++)
        batchedResults.push(
          ...(await batched.run(key, ops.slice(i, i + size))).results.map((r) => [r.isError, r.result]),
        );
      expect(batchedResults).toEqual(sdkResults);
      expect(batched.states.get(key)).toBe(sdk.states.get(key));
      const state = JSON.parse(sdk.states.get(key)!) as StreamState;
      expect(state.events).toBeGreaterThan(0);
      const windows = async (stores: ReturnType<typeof streamStores>) =>
        (await stores.windows.query(key, { limit: 1000 })).items.map((w) => [w.start, w.data]);
      const saved = await windows(sdkStores);
      expect(saved.length).toBeGreaterThan(1);
      expect(await windows(batchStores)).toEqual(saved);
    }
    expect(statesOf(keys, batched)).toEqual(statesOf(keys, sdk));
  });

  it('parses the stored state once and serializes it once for a batch of operations', async () => {
    const counter: EntityHandler<{ n: number; log: number[] }> = (context) => {
      const s = context.df.getState(() => ({ n: 0, log: [] }))!;
      s.n += context.df.getInput<number>() ?? 0;
      s.log.push(s.n);
      context.df.setState(s);
      context.df.return(s.n);
    };
    const runner = new BatchRunner(batchedEntityFunction(counter), 'Counter');
    await runner.run('k', [{ name: 'add', input: 1 }]);
    const stored = runner.states.get('k')!;
    const parse = jest.spyOn(JSON, 'parse');
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const out = await runner.run(
        'k',
        [2, 3, 4, 5].map((n) => ({ name: 'add', input: n })),
      );
      expect(out.results.map((r) => r.result)).toEqual(['3', '6', '10', '15']);
      // The host handed back the text this function returned: the state it kept is used, not parsed again.
      expect(parse.mock.calls.filter(([text]) => text === stored)).toHaveLength(0);
      expect(stringify.mock.calls.filter(([value]) => (value as { log?: unknown })?.log !== undefined)).toHaveLength(1);
      // Another text (written elsewhere, or a result the host did not commit) is parsed, once for the batch.
      const elsewhere = JSON.stringify({ n: 100, log: [100] });
      runner.states.set('k', elsewhere);
      parse.mockClear();
      const next = await runner.run(
        'k',
        [1, 2].map((n) => ({ name: 'add', input: n })),
      );
      expect(next.results.map((r) => r.result)).toEqual(['101', '103']);
      expect(parse.mock.calls.filter(([text]) => text === elsewhere)).toHaveLength(1);
    } finally {
      parse.mockRestore();
      stringify.mockRestore();
    }
    expect(JSON.parse(runner.states.get('k')!)).toEqual({ n: 103, log: [100, 101, 103] });
  });

  it('keeps no changes of a failed run: after an operation throws, the next batch starts from the stored state', async () => {
    const handler: EntityHandler<{ n: number }> = (context) => {
      const s = context.df.getState(() => ({ n: 0 }))!;
      // Changes the state it read before failing: in the live run that is the kept object.
      s.n += context.df.getInput<number>() ?? 0;
      if (context.df.operationName === 'boom') throw new Error('boom');
      context.df.setState(s);
      context.df.return(s.n);
    };
    const runner = new BatchRunner(batchedEntityFunction(handler), 'Counter');
    await runner.run('k', [{ name: 'add', input: 1 }]);
    const stored = runner.states.get('k');
    // The failed operation changed the kept object, and the host gets the stored text back unchanged.
    const failed = await runner.run('k', [{ name: 'boom', input: 1000 }]);
    expect(failed.results.map((r) => r.isError)).toEqual([true]);
    expect(runner.states.get('k')).toBe(stored);
    const after = await runner.run('k', [
      { name: 'add', input: 10 },
      { name: 'add', input: 5 },
    ]);
    expect(after.results.map((r) => r.result)).toEqual(['11', '16']);
  });

  it('an operation that throws keeps the library semantics: its changes are dropped, the others kept, the error reported', async () => {
    const calls: string[] = [];
    const handler: EntityHandler<{ n: number }> = (context) => {
      const op = context.df.operationName!;
      calls.push(op);
      const s = context.df.getState(() => ({ n: 0 }))!;
      s.n += context.df.getInput<number>() ?? 0;
      // Changed the state it read, then fails before setState: the library never keeps that change.
      if (op === 'boom') throw new Error('boom');
      if (op === 'delete') {
        context.df.destructOnExit();
        return;
      }
      context.df.setState(s);
      context.df.return(s.n);
    };
    const ops: Op[] = [
      { name: 'add', input: 1 },
      { name: 'add', input: 2 },
      { name: 'boom', input: 100 },
      { name: 'add', input: 4 },
    ];
    const sdk = new BatchRunner(
      captureRegistration(() => df.app.entity('Counter', handler)),
      'Counter',
    );
    const batched = new BatchRunner(batchedEntityFunction(handler), 'Counter');
    const a = await sdk.run('k', ops);
    calls.length = 0;
    const b = await batched.run('k', ops);
    // The live run stopped at the failure; the batch ran again serializing after every operation.
    expect(calls).toEqual(['add', 'add', 'boom', 'add', 'add', 'boom', 'add']);
    expect(b.results.map((r) => [r.isError, r.result])).toEqual(a.results.map((r) => [r.isError, r.result]));
    expect(b.results[2]?.isError).toBe(true);
    expect(batched.states.get('k')).toBe(sdk.states.get('k'));
    expect(JSON.parse(batched.states.get('k')!)).toEqual({ n: 7 });
    // destructOnExit: the entity goes, as with the library.
    const deleted = await batched.run('k', [
      { name: 'add', input: 1 },
      { name: 'delete', input: undefined },
    ]);
    expect(deleted.entityExists).toBe(false);
    expect(batched.states.has('k')).toBe(false);
  });

  it('ParsedStates: a state is given once per put, only for its exact text, and the least recently used go first', () => {
    const cache = new ParsedStates(10);
    const a = { a: 1 };
    cache.put('a', 'aaaa', a);
    expect(cache.take('a', 'aaab')).toBeUndefined();
    // A take removes the entry, matching or not: the caller owns the object until it puts it back.
    expect(cache.take('a', 'aaaa')).toBeUndefined();
    cache.put('a', 'aaaa', a);
    expect(cache.take('a', 'aaaa')).toEqual({ value: a });
    cache.put('a', 'aaaa', a);
    cache.put('b', 'bbbb', { b: 1 });
    cache.put('c', 'cccc', { c: 1 });
    // 12 units > 10: 'a', the oldest, is dropped.
    expect(cache.count).toBe(2);
    expect(cache.take('a', 'aaaa')).toBeUndefined();
    expect(cache.take('b', 'bbbb')).toEqual({ value: { b: 1 } });
    // A text larger than the whole cache is not kept.
    cache.put('d', 'd'.repeat(11), {});
    expect(cache.take('d', 'd'.repeat(11))).toBeUndefined();
  });

  it('names what it expected when the trigger input is not an entity batch', async () => {
    const fn = batchedEntityFunction(() => undefined);
    const context = new InvocationContext({ functionName: 'x', invocationId: 'x', logHandler: () => undefined });
    await expect(fn({ self: { name: 'x' } }, context)).rejects.toThrow(/expected \{ self: \{ name, key \}, exists/);
  });
});

function statesOf(keys: string[], runner: BatchRunner): (string | undefined)[] {
  return keys.map((k) => runner.states.get(k));
}
