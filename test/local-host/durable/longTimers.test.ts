import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { SdkHarness } from './sdkHarness';

const day = 24 * 60 * 60 * 1000;

describe('durable timers further out than setTimeout can wait (about 24.8 days)', () => {
  let h: SdkHarness;
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  it('waits for a 30-day timer without overflowing into a 1 ms busy loop, and fires it when due', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const delays: number[] = [];
    const realSetTimeout = global.setTimeout;
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    h = new SdkHarness().orchestration('Month', function* (ctx) {
      yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 30 * day));
      return ctx.df.currentUtcDateTime.toISOString();
    });
    const rt = h.start(new MemoryStore(), () => now);
    rt.startOrchestration('Month', 'm1', null);
    const waiting = await h.waitForStatus('m1', (s) => s === 'Running');
    expect(waiting.history.filter((e) => e.EventType === 10)).toHaveLength(1);
    // Node turns a delay over 2^31-1 ms into 1 ms: the runtime would re-arm its timer every millisecond.
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.filter((ms) => ms > 2 ** 31 - 1)).toEqual([]);
    now += 30 * day + 1000;
    // An empty commit makes the runtime look at its delayed messages again (the test's clock jumped).
    rt.commit({});
    const done = await h.waitForStatus('m1');
    expect(done.status).toBe('Completed');
    expect(JSON.parse(done.output ?? 'null')).toBe('2025-01-31T00:00:01.000Z');
  });
});
