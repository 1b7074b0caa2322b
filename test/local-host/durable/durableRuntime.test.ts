import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as df from 'durable-functions';

import { entitySchedulerId } from '../../../local-host/durable/runtime/entityId';
import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import type { DurableStore } from '../../../local-host/durable/types';
import { parseOutput as parse, SdkHarness } from './sdkHarness';

const stores: [string, () => DurableStore][] = [
  ['memory', () => new MemoryStore()],
  ['sqlite', () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'durable-rt-')), 'hub.sqlite'))],
];

describe.each(stores)('DurableRuntime with the real durable-functions SDK (%s store)', (_name, newStore) => {
  let h: SdkHarness;
  afterEach(() => h.stop());

  it('chains activities and completes with their output', async () => {
    h = new SdkHarness()
      .activity('Hello', async (name: unknown) => `Hello ${String(name)}`)
      .orchestration('Chain', function* (ctx) {
        const a: string = yield ctx.df.callActivity('Hello', 'Tokyo');
        const b: string = yield ctx.df.callActivity('Hello', 'Seattle');
        return [a, b, ctx.df.getInput()];
      });
    const rt = h.start(newStore());
    rt.startOrchestration('Chain', 'c1', JSON.stringify({ n: 1 }));
    const done = await h.waitForStatus('c1');
    expect(done.status).toBe('Completed');
    expect(parse(done.output)).toEqual(['Hello Tokyo', 'Hello Seattle', { n: 1 }]);
  });

  it('fans out and in', async () => {
    h = new SdkHarness()
      .activity('Square', async (n: unknown) => Number(n) * Number(n))
      .orchestration('Fan', function* (ctx) {
        const tasks = [1, 2, 3, 4, 5].map((n) => ctx.df.callActivity('Square', n));
        const results: number[] = yield ctx.df.Task.all(tasks);
        return results.reduce((a, b) => a + b, 0);
      });
    h.start(newStore()).startOrchestration('Fan', 'f1', null);
    expect(parse((await h.waitForStatus('f1')).output)).toBe(55);
  });

  it('retries a failing activity with backoff and lets the orchestrator catch a final failure', async () => {
    let calls = 0;
    h = new SdkHarness()
      .activity('Flaky', async () => {
        calls++;
        if (calls < 3) throw new Error(`flaky ${calls}`);
        return 'ok';
      })
      .activity('Always', async () => {
        throw new Error('always broken');
      })
      .orchestration('Retry', function* (ctx) {
        const opts = new df.RetryOptions(20, 4);
        opts.backoffCoefficient = 2;
        const ok: string = yield ctx.df.callActivityWithRetry('Flaky', opts, null);
        let caught = '';
        try {
          yield ctx.df.callActivityWithRetry('Always', new df.RetryOptions(10, 2), null);
        } catch (e) {
          caught = (e as Error).message;
        }
        const after: string = yield ctx.df.callActivity('Flaky', null);
        return { ok, caught, after };
      });
    h.start(newStore()).startOrchestration('Retry', 'r1', null);
    const done = await h.waitForStatus('r1');
    expect(done.status).toBe('Completed');
    const out = parse(done.output) as { ok: string; caught: string; after: string };
    expect(out.ok).toBe('ok');
    expect(out.caught).toContain('always broken');
    expect(out.after).toBe('ok');
    expect(calls).toBe(4);
    const types = done.history.map((e) => e.EventType);
    expect(types.filter((t) => t === 10).length).toBeGreaterThanOrEqual(3);
  });

  it('fails the instance with the error message when the orchestrator does not catch', async () => {
    h = new SdkHarness()
      .activity('Boom', async () => {
        throw new Error('kaboom');
      })
      .orchestration('Failing', function* (ctx) {
        yield ctx.df.callActivity('Boom', null);
        return 'unreachable';
      })
      .orchestration('Parent', function* (ctx) {
        try {
          yield ctx.df.callSubOrchestrator('Failing', null, 'child-1');
        } catch (e) {
          return `parent caught: ${(e as Error).message}`;
        }
        return 'no';
      });
    const rt = h.start(newStore());
    rt.startOrchestration('Parent', 'p1', null);
    const parent = await h.waitForStatus('p1');
    expect(parse(parent.output)).toContain('kaboom');
    const child = await h.waitForStatus('child-1');
    expect(child.status).toBe('Failed');
    expect(String(parse(child.output))).toContain('kaboom');
  });

  it('runs timers, external events (early ones buffered) and custom status', async () => {
    h = new SdkHarness().orchestration('Wait', function* (ctx) {
      ctx.df.setCustomStatus('waiting');
      const deadline = new Date(ctx.df.currentUtcDateTime.getTime() + 100);
      yield ctx.df.createTimer(deadline);
      const approval: unknown = yield ctx.df.waitForExternalEvent('Approval');
      ctx.df.setCustomStatus('done');
      return { approval, after: ctx.df.currentUtcDateTime.getTime() >= deadline.getTime() };
    });
    const rt = h.start(newStore());
    rt.startOrchestration('Wait', 'w1', null);
    // Raised before the orchestrator waits for it: must be buffered.
    rt.sendToOrchestration({
      kind: 'orchestration',
      instanceId: 'w1',
      event: { EventType: 15, Name: 'Approval', Input: '{"by":"ann"}' },
    });
    const done = await h.waitForStatus('w1');
    expect(parse(done.output)).toEqual({ approval: { by: 'ann' }, after: true });
    expect(parse(done.customStatus)).toBe('done');
  });

  it('continues as new until a counter reaches its limit', async () => {
    h = new SdkHarness().orchestration('Eternal', function* (ctx) {
      const n = ctx.df.getInput<number>();
      if (n >= 3) return n;
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 10));
      ctx.df.continueAsNew(n + 1);
      return undefined;
    });
    h.start(newStore()).startOrchestration('Eternal', 'e1', '0');
    const done = await h.waitForStatus('e1');
    expect(done.status).toBe('Completed');
    expect(parse(done.output)).toBe(3);
  });

  it('batches entity operations, answers callEntity and signals between entities', async () => {
    const batchSizes: number[] = [];
    h = new SdkHarness()
      .entity('Counter', (ctx) => {
        const state = ctx.df.getState(() => 0) as number;
        if (ctx.df.operationName === 'add') {
          const next = state + (ctx.df.getInput() as number);
          ctx.df.setState(next);
          if (next >= 100) ctx.df.signalEntity(new df.EntityId('Audit', 'log'), 'note', next);
        } else if (ctx.df.operationName === 'get') ctx.df.return(state);
        else if (ctx.df.operationName === 'delete') ctx.df.destructOnExit();
      })
      .entity('Audit', (ctx) => {
        const notes = ctx.df.getState(() => []) as number[];
        ctx.df.setState([...notes, ctx.df.getInput() as number]);
      })
      .orchestration('UseCounter', function* (ctx) {
        const id = new df.EntityId('Counter', 'k');
        ctx.df.signalEntity(id, 'add', 5);
        const value: number = yield ctx.df.callEntity(id, 'get');
        return value;
      });
    const rt = h.start(newStore());
    const id = entitySchedulerId('Counter', 'k');
    for (let i = 0; i < 50; i++) rt.signalEntity(id, 'add', '1');
    rt.startOrchestration('UseCounter', 'u1', null);
    const done = await h.waitForStatus('u1');
    expect(parse(done.output)).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < 45; i++) rt.signalEntity(id, 'add', '1');
    const until = Date.now() + 10000;
    while (rt.store.getEntity(entitySchedulerId('Audit', 'log')) === undefined && Date.now() < until)
      await new Promise((r) => setTimeout(r, 10));
    expect(parse(rt.store.getEntity(id)?.state ?? null)).toBe(100);
    expect(parse(rt.store.getEntity(entitySchedulerId('Audit', 'log'))?.state ?? null)).toEqual([100]);
    const batches = h.logs
      .filter((l) => l.includes('@counter@k processed'))
      .map((l) => Number(/processed (\d+)/.exec(l)?.[1]));
    batchSizes.push(...batches);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    rt.signalEntity(id, 'delete', null);
    while (rt.store.getEntity(id) !== undefined && Date.now() < until + 5000)
      await new Promise((r) => setTimeout(r, 10));
    expect(rt.store.getEntity(id)).toBeUndefined();
  });

  it('terminates, suspends and resumes', async () => {
    h = new SdkHarness().orchestration('Waiter', function* (ctx) {
      const v: unknown = yield ctx.df.waitForExternalEvent('Go');
      return v;
    });
    const rt = h.start(newStore());
    rt.startOrchestration('Waiter', 't1', null);
    rt.startOrchestration('Waiter', 's1', null);
    await h.waitForStatus('t1', (s) => s === 'Running');
    await h.waitForStatus('s1', (s) => s === 'Running');
    rt.sendToOrchestration({ kind: 'orchestration', instanceId: 't1', control: 'terminate', reason: 'stop it' });
    expect((await h.waitForStatus('t1')).status).toBe('Terminated');
    rt.sendToOrchestration({ kind: 'orchestration', instanceId: 's1', control: 'suspend' });
    await h.waitForStatus('s1', (s) => s === 'Suspended');
    rt.sendToOrchestration({
      kind: 'orchestration',
      instanceId: 's1',
      event: { EventType: 15, Name: 'Go', Input: '7' },
    });
    // The runtime says when it has looked at the event and parked it: no guessing how long that takes.
    const until = Date.now() + 10_000;
    while (!h.logs.some((l) => l.includes('s1 is suspended; holding 1 messages')) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 5));
    expect(rt.store.getInstance('s1')?.status).toBe('Suspended');
    expect(rt.store.loadMessages().filter((m) => m.target === 'orch:s1')).toHaveLength(1);
    rt.sendToOrchestration({ kind: 'orchestration', instanceId: 's1', control: 'resume' });
    const done = await h.waitForStatus('s1');
    expect(parse(done.output)).toBe(7);
  });
});
