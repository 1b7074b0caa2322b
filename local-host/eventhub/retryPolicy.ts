/**
 * A function's retry options (from its registration, `retry: {...}` in app.eventHub) as a delay schedule.
 * The Event Hubs trigger is one of the triggers the host retries in-process; once retries are spent the
 * batch is given up on and the checkpoint moves past it, as in Azure.
 */
export type RetrySchedule = (failedAttempts: number) => number | undefined;

const noRetry: RetrySchedule = () => undefined;

function durationMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    const d = value as {
      seconds?: unknown;
      nanos?: unknown;
      milliseconds?: unknown;
      minutes?: unknown;
      hours?: unknown;
    };
    const n = (x: unknown): number => (typeof x === 'number' ? x : Number(x ?? 0)) || 0;
    return ((n(d.hours) * 60 + n(d.minutes)) * 60 + n(d.seconds)) * 1000 + n(d.milliseconds) + n(d.nanos) / 1e6;
  }
  return 0;
}

export function retrySchedule(retryOptions: unknown): RetrySchedule {
  if (!retryOptions || typeof retryOptions !== 'object') return noRetry;
  const o = retryOptions as Record<string, unknown>;
  const strategy = String(o.strategy ?? o.retryStrategy ?? '').toLowerCase();
  const max = Number(o.maxRetryCount ?? 0);
  if (!Number.isInteger(max) || max === 0 || max < -1) return noRetry;
  const allowed = (failed: number): boolean => max === -1 || failed <= max;
  if (strategy === 'fixeddelay' || strategy === '1') {
    const delay = durationMs(o.delayInterval);
    return (failed) => (allowed(failed) ? delay : undefined);
  }
  if (strategy === 'exponentialbackoff' || strategy === '0') {
    const min = durationMs(o.minimumInterval);
    const maxInterval = durationMs(o.maximumInterval) || Number.POSITIVE_INFINITY;
    return (failed) => (allowed(failed) ? Math.min(maxInterval, min * 2 ** (failed - 1)) : undefined);
  }
  return noRetry;
}

/** The policy's maxRetryCount (-1 = unlimited), for the invocation's retryContext; undefined without a policy. */
export function maxRetryCountOf(retryOptions: unknown): number | undefined {
  if (!retryOptions || typeof retryOptions !== 'object') return undefined;
  const max = Number((retryOptions as Record<string, unknown>).maxRetryCount ?? 0);
  return Number.isInteger(max) && (max > 0 || max === -1) ? max : undefined;
}
