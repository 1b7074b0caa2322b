import type { CronSchedule } from './parseNcrontab';

/** Years searched before concluding a schedule never fires (e.g. "0 0 0 30 2 *"). */
const searchYears = 8;

/**
 * The first time strictly after `after` (whole seconds, UTC) that matches every field, or undefined when
 * the schedule can never fire. Skips whole months/days/hours/minutes that cannot match, so it is fast.
 */
export function nextOccurrence(schedule: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getUTCFullYear() + searchYears;
  const has = (list: number[], v: number): boolean => list.includes(v);
  while (t.getUTCFullYear() <= limit) {
    if (!has(schedule.months, t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!has(schedule.days, t.getUTCDate()) || !has(schedule.daysOfWeek, t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!has(schedule.hours, t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!has(schedule.minutes, t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!has(schedule.seconds, t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      continue;
    }
    return t;
  }
  return undefined;
}

/** Whether `at` (to the second, UTC) matches the schedule. */
export function matchesSchedule(schedule: CronSchedule, at: Date): boolean {
  return (
    schedule.seconds.includes(at.getUTCSeconds()) &&
    schedule.minutes.includes(at.getUTCMinutes()) &&
    schedule.hours.includes(at.getUTCHours()) &&
    schedule.days.includes(at.getUTCDate()) &&
    schedule.months.includes(at.getUTCMonth() + 1) &&
    schedule.daysOfWeek.includes(at.getUTCDay())
  );
}
