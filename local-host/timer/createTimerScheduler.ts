import { configError, describeError, ensureError } from '../errors';
import type { HostContext, HostFunction } from '../extension';
import { invokeTimerFunction } from './invokeTimerFunction';
import { nextOccurrence } from './nextOccurrence';
import { parseTimerSchedule, type TimerSchedule } from './parseTimerSchedule';
import { type TimerStatus, timerStatusStore } from './timerStatusStore';

export interface TimerScheduler {
  /** Runs past-due and runOnStartup invocations, then arms every timer. */
  start(): void;
  /** Runs a timer function now (admin endpoint); does not move its schedule. */
  runNow(fn: HostFunction): Promise<void>;
  /** Disarms timers and waits for running invocations. */
  stop(): Promise<void>;
}

// setTimeout cannot wait longer than this; longer waits re-arm.
const maxDelayMs = 2 ** 31 - 1;

/**
 * Timer triggers as the timer extension runs them: NCRONTAB or TimeSpan schedules in UTC, runOnStartup,
 * isPastDue when the persisted next run was missed while the host was down, one run at a time per function.
 * Schedules are validated here, at start-up, naming the function.
 */
export function createTimerScheduler(
  ctx: Pick<HostContext, 'functions' | 'invoke' | 'logger' | 'dataDir'>,
  now: () => Date = () => new Date(),
): TimerScheduler {
  const store = timerStatusStore(ctx.dataDir);
  const timers = ctx.functions
    .filter((fn) => fn.trigger.type.toLowerCase() === 'timertrigger')
    .map((fn) => ({ fn, schedule: scheduleOf(fn), handle: undefined as NodeJS.Timeout | undefined }));
  const running = new Set<Promise<void>>();
  let stopped = false;

  const nextAfter = (schedule: TimerSchedule, from: Date): Date | undefined =>
    schedule.kind === 'cron' ? nextOccurrence(schedule.cron, from) : new Date(from.getTime() + schedule.ms);

  const track = (work: Promise<void>): Promise<void> => {
    running.add(work);
    return work.finally(() => running.delete(work));
  };

  const run = async (timer: (typeof timers)[number], isPastDue: boolean, scheduled: Date): Promise<void> => {
    const previous = store.read(timer.fn.name);
    try {
      await invokeTimerFunction(ctx, timer.fn, {
        isPastDue,
        ...(previous ? { last: previous.last, next: previous.next, lastUpdated: previous.lastUpdated } : {}),
      });
    } catch (err) {
      // The invoker already logged the failure; a failed run still counts as a run, as in the host.
      ctx.logger.debug(`Timer "${timer.fn.name}" run failed: ${describeError(err)}`);
    }
    const next = nextAfter(timer.schedule, now());
    if (!next) return;
    try {
      store.write(timer.fn.name, { last: scheduled, next, lastUpdated: now() });
    } catch (err) {
      // Losing the status only costs the past-due detection after a restart; the schedule itself must go on
      // (a throw here would leave the timer disarmed and the rejection unhandled).
      ctx.logger.warn(
        `Timer "${timer.fn.name}": could not save its status in ${store.dir}: ${ensureError(err).message}`,
      );
    }
  };

  const arm = (timer: (typeof timers)[number]): void => {
    if (stopped) return;
    const due = nextAfter(timer.schedule, now());
    if (!due) {
      ctx.logger.warn(`Timer "${timer.fn.name}" schedule "${timer.schedule.expression}" never fires; it will not run.`);
      return;
    }
    ctx.logger.debug(`Timer "${timer.fn.name}" next run at ${due.toISOString()}`);
    const wait = (): void => {
      const delay = due.getTime() - now().getTime();
      if (delay > maxDelayMs) {
        timer.handle = setTimeout(wait, maxDelayMs);
        return;
      }
      timer.handle = setTimeout(
        () => {
          if (stopped) return;
          void track(run(timer, false, due)).then(() => arm(timer));
        },
        Math.max(0, delay),
      );
    };
    wait();
  };

  return {
    start() {
      for (const timer of timers) {
        const status: TimerStatus | undefined = store.read(timer.fn.name);
        const startTime = now();
        const pastDue = status !== undefined && status.next.getTime() < startTime.getTime();
        const onStartup = timer.fn.trigger.runOnStartup === true;
        if (pastDue || onStartup) {
          ctx.logger.info(
            `Timer "${timer.fn.name}" runs now (${pastDue ? `past due since ${status!.next.toISOString()}` : 'runOnStartup'}).`,
          );
          void track(run(timer, pastDue, pastDue ? status!.next : startTime)).then(() => arm(timer));
        } else {
          arm(timer);
        }
      }
    },
    runNow(fn) {
      const timer = timers.find((t) => t.fn === fn);
      if (!timer) return Promise.reject(new Error(`Function "${fn.name}" is not a timer function.`));
      const status = store.read(fn.name);
      return track(
        invokeTimerFunction(ctx, fn, {
          isPastDue: false,
          ...(status ? { last: status.last, next: status.next, lastUpdated: status.lastUpdated } : {}),
        }),
      );
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer.handle);
      await Promise.allSettled([...running]);
    },
  };
}

function scheduleOf(fn: HostFunction): TimerSchedule {
  const schedule = fn.trigger.schedule;
  if (typeof schedule !== 'string' || schedule.trim() === '') {
    throw configError(
      `Function "${fn.name}" timer binding "${fn.trigger.name}" has no schedule: expected an NCRONTAB expression or "hh:mm:ss".`,
    );
  }
  try {
    return parseTimerSchedule(schedule);
  } catch (err) {
    throw configError(`Function "${fn.name}" timer binding "${fn.trigger.name}": ${ensureError(err).message}`);
  }
}
