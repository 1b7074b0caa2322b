import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import type { DurableStore } from '../../../local-host/durable/types';
import { parseOutput as parse, SdkHarness } from './sdkHarness';

/** A promise per key that the test resolves: activity completion order is chosen by the test, not by timing. */
class Gates {
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly opened = new Set<string>();
  readonly started: string[] = [];
  wait(key: string): Promise<void> {
    this.started.push(key);
    if (this.opened.has(key)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
  }
  open(key: string): void {
    this.opened.add(key);
    for (const resolve of this.waiting.get(key) ?? []) resolve();
    this.waiting.delete(key);
  }
  /** Lets everything still waiting finish, so the runtime can stop even after a failed assertion. */
  openAll(): void {
    for (const key of [...this.waiting.keys()]) this.open(key);
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const stores: [string, () => DurableStore][] = [
  ['memory', () => new MemoryStore()],
  ['sqlite', () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'durable-any-')), 'hub.sqlite'))],
];

describe.each(stores)(
  'Task.any loop over pending tasks (durable-functions re-lists scheduled actions; %s store)',
  (_kind, newStore) => {
    let h: SdkHarness;
    let gates: Gates;
    beforeEach(() => {
      gates = new Gates();
    });
    afterEach(async () => {
      gates.openAll();
      await h.stop();
    });

    it('schedules each activity once and hands every result to the orchestrator exactly once, in completion order', async () => {
      h = new SdkHarness()
        .activity('Gated', async (key: unknown) => {
          await gates.wait(String(key));
          return `done ${String(key)}`;
        })
        .activity('After', async (x: unknown) => `after ${String(x)}`)
        .orchestration('AnyLoop', function* (ctx) {
          const keys = ctx.df.getInput<string[]>();
          const pending = keys.map((k) => ctx.df.callActivity('Gated', k));
          const processed: string[] = [];
          while (pending.length > 0) {
            const done = yield ctx.df.Task.any(pending);
            pending.splice(pending.indexOf(done), 1);
            processed.push(done.result as string);
          }
          // Task ids after the loop must line up with history: a new activity gets its own result.
          const after: string = yield ctx.df.callActivity('After', processed.length);
          return { processed, after };
        });
      const rt = h.start(newStore());
      rt.startOrchestration('AnyLoop', 'any-1', JSON.stringify(['a', 'b', 'c', 'd']));
      await until(() => gates.started.length === 4, 'four activities to start');
      const order = ['c', 'a', 'd', 'b'];
      for (const [i, key] of order.entries()) {
        gates.open(key);
        // One completion per episode: the stored history holds it only once the episode that consumed it committed.
        await until(
          () => (rt.store.getInstance('any-1')?.history.filter((e) => e.EventType === 5).length ?? 0) > i,
          `episode after ${key}`,
        );
      }
      const done = await h.waitForStatus('any-1');
      expect(done.status).toBe('Completed');
      expect(parse(done.output)).toEqual({ processed: ['done c', 'done a', 'done d', 'done b'], after: 'after 4' });
      expect([...gates.started].sort()).toEqual(['a', 'b', 'c', 'd']);
      const scheduled = done.history.filter((e) => e.EventType === 4).map((e) => [e.EventId, e.Name, e.Input]);
      expect(scheduled).toEqual([
        [0, 'Gated', '"a"'],
        [1, 'Gated', '"b"'],
        [2, 'Gated', '"c"'],
        [3, 'Gated', '"d"'],
        [4, 'After', '4'],
      ]);
    });

    it('handles several completions landing in one episode', async () => {
      h = new SdkHarness()
        .activity('Gated', async (key: unknown) => {
          await gates.wait(String(key));
          return String(key);
        })
        .orchestration('AnyLoop2', function* (ctx) {
          const pending = ['a', 'b', 'c', 'd', 'e'].map((k) => ctx.df.callActivity('Gated', k));
          const processed: string[] = [];
          while (pending.length > 0) {
            const done = yield ctx.df.Task.any(pending);
            pending.splice(pending.indexOf(done), 1);
            processed.push(done.result as string);
          }
          return processed;
        });
      const rt = h.start(newStore());
      rt.startOrchestration('AnyLoop2', 'any-2', null);
      await until(() => gates.started.length === 5, 'five activities to start');
      for (const key of ['e', 'b', 'a', 'd', 'c']) gates.open(key);
      const done = await h.waitForStatus('any-2');
      expect((parse(done.output) as string[]).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(gates.started.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(done.history.filter((e) => e.EventType === 4)).toHaveLength(5);
    });

    it('re-yields a task that lost a Task.any race without scheduling it again (Task.all after Task.any)', async () => {
      h = new SdkHarness()
        .activity('Gated', async (key: unknown) => {
          await gates.wait(String(key));
          return String(key);
        })
        .orchestration('Race', function* (ctx) {
          const slow = ctx.df.callActivity('Gated', 'slow');
          const fast = ctx.df.callActivity('Gated', 'fast');
          const first = yield ctx.df.Task.any([slow, fast]);
          const both: string[] = yield ctx.df.Task.all([slow, fast, ctx.df.callActivity('Gated', 'extra')]);
          return { first: first.result as string, both };
        });
      const rt = h.start(newStore());
      rt.startOrchestration('Race', 'race-1', null);
      await until(() => gates.started.length === 2, 'two activities to start');
      gates.open('fast');
      await until(() => gates.started.length === 3, 'the extra activity to start');
      gates.open('slow');
      gates.open('extra');
      const done = await h.waitForStatus('race-1');
      expect(parse(done.output)).toEqual({ first: 'fast', both: ['slow', 'fast', 'extra'] });
      expect(gates.started.sort()).toEqual(['extra', 'fast', 'slow']);
    });
  },
);
