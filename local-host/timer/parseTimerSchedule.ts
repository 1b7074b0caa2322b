import { configError } from '../errors';
import { type CronSchedule, parseNcrontab } from './parseNcrontab';

export type TimerSchedule =
  { kind: 'cron'; expression: string; cron: CronSchedule } | { kind: 'interval'; expression: string; ms: number };

/**
 * A timer trigger's `schedule`: a six-field NCRONTAB expression, or a TimeSpan "hh:mm:ss" / "d.hh:mm:ss"
 * meaning "every interval" (as the host allows on dedicated plans).
 */
export function parseTimerSchedule(expression: string): TimerSchedule {
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expression.trim());
  if (span) {
    const [, d = '0', h = '0', m = '0', s = '0'] = span;
    if (Number(m) > 59 || Number(s) > 59 || Number(h) > 23) {
      throw configError(
        `Invalid TimeSpan schedule "${expression}": expected hh:mm:ss with hours 0-23 and minutes/seconds 0-59.`,
      );
    }
    const ms = (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
    if (ms === 0)
      throw configError(`Invalid TimeSpan schedule "${expression}": the interval must be longer than zero.`);
    return { kind: 'interval', expression, ms };
  }
  return { kind: 'cron', expression, cron: parseNcrontab(expression) };
}
