import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { parseOutput as parse, SdkHarness } from './sdkHarness';

describe('explicit instance ids of sub-orchestrations', () => {
  let h: SdkHarness;
  afterEach(() => h.stop());

  function app(): SdkHarness {
    return new SdkHarness()
      .orchestration('Waiter', function* (ctx) {
        const v: unknown = yield ctx.df.waitForExternalEvent('Go');
        return { input: ctx.df.getInput<unknown>(), v };
      })
      .orchestration('Quick', function* (ctx) {
        yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1));
        return ctx.df.getInput<unknown>();
      })
      .orchestration('StartsChild', function* (ctx) {
        const id = ctx.df.getInput<string>();
        try {
          const out: unknown = yield ctx.df.callSubOrchestrator('Quick', 'from parent', id);
          return { ok: out };
        } catch (e) {
          return { caught: (e as Error).message };
        }
      });
  }

  it('fails the sub-orchestration task when the id belongs to a running instance, leaving that instance alone', async () => {
    h = app();
    const rt = h.start(new MemoryStore());
    rt.startOrchestration('Waiter', 'busy', '"original"');
    const before = await h.waitForStatus('busy', (s) => s === 'Running');
    rt.startOrchestration('StartsChild', 'p1', '"busy"');
    const parent = await h.waitForStatus('p1');
    expect(parent.status).toBe('Completed');
    expect((parse(parent.output) as { caught: string }).caught).toContain(
      "An orchestration instance with ID 'busy' already exists and is Running",
    );
    const busy = rt.store.getInstance('busy');
    expect(busy).toMatchObject({
      name: 'Waiter',
      status: 'Running',
      executionId: before.executionId,
      input: '"original"',
    });
    expect(busy?.parent).toBeUndefined();
    rt.sendToOrchestration({
      kind: 'orchestration',
      instanceId: 'busy',
      event: { EventType: 15, Name: 'Go', Input: '1' },
    });
    expect(parse((await h.waitForStatus('busy')).output)).toEqual({ input: 'original', v: 1 });
  });

  it('reuses the id of a finished instance', async () => {
    h = app();
    const rt = h.start(new MemoryStore());
    rt.startOrchestration('Quick', 'done-before', '"first"');
    await h.waitForStatus('done-before');
    rt.startOrchestration('StartsChild', 'p2', '"done-before"');
    expect(parse((await h.waitForStatus('p2')).output)).toEqual({ ok: 'from parent' });
    expect(rt.store.getInstance('done-before')?.parent?.instanceId).toBe('p2');
  });

  it('fails the second of two children started with the same id in one episode', async () => {
    h = app().orchestration('Twins', function* (ctx) {
      const a = ctx.df.callSubOrchestrator('Quick', 'a', 'twin');
      const b = ctx.df.callSubOrchestrator('Quick', 'b', 'twin');
      try {
        yield ctx.df.Task.all([a, b]);
        return { first: a.result, second: 'ran' };
      } catch (e) {
        return { first: 'not awaited', second: (e as Error).message };
      }
    });
    const rt = h.start(new MemoryStore());
    rt.startOrchestration('Twins', 'twins', null);
    const out = parse((await h.waitForStatus('twins')).output) as { first: unknown; second: string };
    expect(out.second).toContain("ID 'twin' already exists and is Pending");
    const twin = await h.waitForStatus('twin');
    expect(parse(twin.output)).toBe('a');
  });

  it("fails the orchestration when a sub-orchestration would take its own or its parent's id", async () => {
    h = app()
      .orchestration('SelfChild', function* (ctx) {
        yield ctx.df.callSubOrchestrator('Quick', null, ctx.df.instanceId);
        return 'unreachable';
      })
      .orchestration('ParentChild', function* (ctx) {
        yield ctx.df.callSubOrchestrator('SelfChild', null, 'inner');
        return 'unreachable';
      })
      .orchestration('GrandChild', function* (ctx) {
        yield ctx.df.callSubOrchestrator('Quick', null, ctx.df.parentInstanceId as string);
        return 'unreachable';
      })
      .orchestration('HasGrandChild', function* (ctx) {
        try {
          yield ctx.df.callSubOrchestrator('GrandChild', null, 'gc');
        } catch (e) {
          return (e as Error).message;
        }
        return 'no';
      });
    const rt = h.start(new MemoryStore());
    rt.startOrchestration('SelfChild', 'self', null);
    rt.startOrchestration('HasGrandChild', 'top', null);
    const self = await h.waitForStatus('self');
    expect(self.status).toBe('Failed');
    expect(String(parse(self.output))).toContain('must be different than the instance ID of a parent orchestration');
    expect(self.name).toBe('SelfChild');
    const top = await h.waitForStatus('top');
    expect(String(parse(top.output))).toContain('must be different than the instance ID of a parent orchestration');
    expect((await h.waitForStatus('gc')).status).toBe('Failed');
  });
});
