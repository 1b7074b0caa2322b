import { toRpcTypedData } from '../converters/toRpcTypedData';
import type { HostContext, HostFunction } from '../extension';

export interface TimerRunInfo {
  isPastDue: boolean;
  last?: Date;
  next?: Date;
  lastUpdated?: Date;
}

/**
 * Invokes a timer-triggered function with the payload the timer extension sends: its TimerInfo as
 * PascalCase JSON, which the library camel-cases into {schedule:{adjustForDST}, scheduleStatus, isPastDue}.
 */
export async function invokeTimerFunction(
  ctx: Pick<HostContext, 'invoke'>,
  fn: HostFunction,
  run: TimerRunInfo,
): Promise<void> {
  const payload = {
    Schedule: { AdjustForDST: true },
    ScheduleStatus:
      run.last || run.next
        ? {
            Last: (run.last ?? new Date(0)).toISOString(),
            Next: (run.next ?? new Date(0)).toISOString(),
            LastUpdated: (run.lastUpdated ?? new Date()).toISOString(),
          }
        : null,
    IsPastDue: run.isPastDue,
  };
  await ctx.invoke({ functionName: fn.name, triggerData: toRpcTypedData(payload) });
}
