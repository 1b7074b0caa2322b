/**
 * The period a scheduled run analyses: the last whole period before `now`, aligned to
 * multiples of `periodMinutes` since the epoch, and the instance id that names it. The id is
 * a pure function of (pipeline, period, attempt), so a repeated or late timer firing finds the run it
 * already started instead of starting another, and a failed run is followed by the next attempt's id.
 */
export function schedulePeriod(now: number, periodMinutes: number): { from: string; to: string } {
  const ms = periodMinutes * 60_000;
  const end = Math.floor(now / ms) * ms;
  return { from: new Date(end - ms).toISOString(), to: new Date(end).toISOString() };
}

/** Attempts per (pipeline, period): a run that keeps failing is not started again and again. */
export const MAX_SCHEDULED_ATTEMPTS = 3;

/** Attempt 1 keeps the plain id (`analysis-{pipeline}-{stamp}`); later attempts add `-attempt{n}`. */
export function scheduledInstanceId(pipeline: string, from: string, attempt = 1): string {
  // Instance ids may not contain / \ # ? or control characters; pipeline names are checked by the pipeline schema.
  const stamp = from.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `analysis-${pipeline.replace(/[/\\#?\s]/g, '_')}-${stamp}${attempt > 1 ? `-attempt${attempt}` : ''}`;
}
