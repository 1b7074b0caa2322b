import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromRpcTypedData } from '../converters/fromRpcTypedData';
import type { HostFunction, HostLogger, InvokeRequest } from '../extension';
import { createTimerScheduler } from './createTimerScheduler';
import { timerStatusStore } from './timerStatusStore';

const quiet: HostLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function timerFn(name: string, schedule: string, runOnStartup = false): HostFunction {
  const trigger = { name: 'timer', type: 'timerTrigger', direction: 'in' as const, schedule, runOnStartup };
  return { name, id: name, trigger, bindings: [trigger] };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

function setup(fn: HostFunction) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lh-sched-'));
  const calls: Record<string, unknown>[] = [];
  const invoke = async (req: InvokeRequest) => {
    calls.push(fromRpcTypedData(req.triggerData) as Record<string, unknown>);
    return { invocationId: 'x', outputData: [] };
  };
  return { dataDir, calls, scheduler: createTimerScheduler({ functions: [fn], invoke, logger: quiet, dataDir }) };
}

describe('createTimerScheduler', () => {
  it('runs on startup, then on schedule, persisting the status', async () => {
    const fn = timerFn('every', '* * * * * *', true);
    const { dataDir, calls, scheduler } = setup(fn);
    scheduler.start();
    await until(() => calls.length >= 2);
    await scheduler.stop();
    expect(calls[0]).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false });
    const second = calls[1] as { ScheduleStatus: { Last: string; Next: string } };
    expect(Date.parse(second.ScheduleStatus.Next)).toBeGreaterThan(Date.parse(second.ScheduleStatus.Last));
    const status = timerStatusStore(dataDir).read('every');
    expect(status?.next.getTime()).toBeGreaterThan(status!.last.getTime());
  });

  it('runs a missed occurrence at start-up with isPastDue', async () => {
    const fn = timerFn('yearly', '0 0 0 1 1 *');
    const { dataDir, calls, scheduler } = setup(fn);
    timerStatusStore(dataDir).write('yearly', {
      last: new Date('2020-01-01T00:00:00Z'),
      next: new Date('2021-01-01T00:00:00Z'),
      lastUpdated: new Date('2020-01-01T00:00:01Z'),
    });
    scheduler.start();
    await until(() => calls.length >= 1 && timerStatusStore(dataDir).read('yearly')!.last.getUTCFullYear() === 2021);
    await scheduler.stop();
    expect(calls[0]).toMatchObject({
      IsPastDue: true,
      ScheduleStatus: { Last: '2020-01-01T00:00:00.000Z', Next: '2021-01-01T00:00:00.000Z' },
    });
    expect(timerStatusStore(dataDir).read('yearly')!.next.getTime()).toBeGreaterThan(Date.now());
  });

  it('does not run at start-up without runOnStartup or a missed run', async () => {
    const { calls, scheduler } = setup(timerFn('yearly', '0 0 0 1 1 *'));
    scheduler.start();
    await scheduler.stop();
    expect(calls).toEqual([]);
  });

  it('runs a timer on demand', async () => {
    const fn = timerFn('yearly', '0 0 0 1 1 *');
    const { calls, scheduler } = setup(fn);
    await scheduler.runNow(fn);
    await scheduler.stop();
    expect(calls).toEqual([{ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false }]);
  });

  it('keeps its schedule and warns when the status cannot be saved', async () => {
    const fn = timerFn('every', '* * * * * *', true);
    const dataDir = mkdtempSync(join(tmpdir(), 'lh-sched-'));
    // A file where the status folder should be: every status write fails.
    writeFileSync(join(dataDir, 'timers'), 'not a folder');
    const warnings: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let calls = 0;
    const invoke = async () => {
      calls++;
      return { invocationId: 'x', outputData: [] };
    };
    const scheduler = createTimerScheduler({
      functions: [fn],
      invoke,
      logger: { ...quiet, warn: (m) => warnings.push(m) },
      dataDir,
    });
    try {
      scheduler.start();
      const deadline = Date.now() + 10_000;
      await until(() => calls >= 2 || Date.now() > deadline);
    } finally {
      await scheduler.stop();
      process.off('unhandledRejection', onUnhandled);
    }
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(unhandled).toEqual([]);
    expect(warnings[0]).toMatch(/^Timer "every": could not save its status in .*timers/);
  });

  it('fails start-up on a bad schedule naming the function', () => {
    expect(() => setup(timerFn('bad', '* * *'))).toThrow(
      /Function "bad" timer binding "timer": Invalid NCRONTAB expression "\* \* \*"/,
    );
  });
});
