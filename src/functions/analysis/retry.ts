import * as df from 'durable-functions';

/**
 * How every analysis activity is called: 4 attempts, 5 s then 10 s then 20 s apart, so a storage hiccup in one chunk
 * does not fail a whole analysis. Each activity is idempotent (report rows are keyed upserts, alerts insert-if-new),
 * so an attempt after a partial write is safe.
 */
export const ACTIVITY_RETRY: df.RetryOptions = Object.assign(new df.RetryOptions(5_000, 4), {
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 60_000,
});
