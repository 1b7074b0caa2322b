import type { EntityContext } from 'durable-functions';

import { entitySchedulerId } from '../../../local-host/durable/runtime/entityId';
import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { parseOutput as parse, SdkHarness } from './sdkHarness';

const settle = async (turns = 20) => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};

describe('DurableRuntime.crash and poke (the simulator drives the runtime with them)', () => {
  let harnesses: SdkHarness[] = [];
  afterEach(async () => {
    for (const h of harnesses) await h.stop().catch(() => undefined);
    harnesses = [];
  });

  it('a crash commits nothing more, and a new runtime on the same store redoes the lost entity batch', async () => {
    let release: () => void = () => {};
    let gate: Promise<void> | undefined = new Promise<void>((r) => (release = r));
    const counter = async (ctx: EntityContext<number>) => {
      if (gate) await gate;
      ctx.df.setState(ctx.df.getState(() => 0)! + Number(ctx.df.getInput()));
    };
    const store = new MemoryStore();
    const first = new SdkHarness().entity('counter', counter as never);
    harnesses.push(first);
    const rt = first.start(store);
    for (const n of [1, 2, 3]) rt.signalEntity(entitySchedulerId('counter', 'k'), 'add', JSON.stringify(n));
    await settle();
    expect(rt.busy).toBe(1); // the batch waits at the gate
    rt.crash();
    release();
    await settle();
    expect(store.getEntity(entitySchedulerId('counter', 'k'))?.state ?? null).toBeNull();
    expect(store.loadMessages()).toHaveLength(3);

    gate = undefined;
    const second = new SdkHarness().entity('counter', counter as never);
    harnesses.push(second);
    second.start(store);
    for (let i = 0; i < 100 && store.loadMessages().length > 0; i++) await settle();
    expect(parse(store.getEntity(entitySchedulerId('counter', 'k'))?.state ?? null)).toBe(6);
  });

  it('poke fires a durable timer as soon as the injected clock passes it, without waiting in real time', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const h = new SdkHarness().orchestration('Sleeper', function* (ctx) {
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 3_600_000));
      return 'woke';
    });
    harnesses.push(h);
    const rt = h.start(new MemoryStore(), () => now);
    rt.startOrchestration('Sleeper', 's1', null);
    await settle(50);
    expect(rt.store.getInstance('s1')?.status).toBe('Running');
    now += 3_600_000;
    rt.poke();
    await settle(50);
    expect(rt.store.getInstance('s1')?.status).toBe('Completed');
    expect(parse(rt.store.getInstance('s1')?.output ?? null)).toBe('woke');
  });
});
