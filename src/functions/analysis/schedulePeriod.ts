/**
 * The period a scheduled run analyses: the last whole period before `now`, aligned to
 * multiples of `periodMinutes` since the epoch, and the instance id that names it. The id is
 * a pure function of (pipeline, period), so a repeated or late timer firing finds the run it
 * already started instead of starting another.
 */
export function schedulePeriod(now: number, periodMinutes: number): { from: string; to: string } {
  const ms = periodMinutes * 60_000;
  const end = Math.floor(now / ms) * ms;
  return { from: new Date(end - ms).toISOString(), to: new Date(end).toISOString() };
}

export function scheduledInstanceId(pipeline: string, from: string): string {
  // Instance ids may not contain / \ # ? or control characters; pipeline names are checked by the pipeline schema.
  const stamp = from.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `analysis-${pipeline.replace(/[/\\#?\s]/g, '_')}-${stamp}`;
}
