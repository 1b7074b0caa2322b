import type { RetryPolicy } from '../types';

/**
 * Delay before the next attempt after `failedAttempts` failures, or undefined when the policy is spent
 * (attempts used up, or the retry timeout would pass before the next attempt).
 */
export function retryDelay(policy: RetryPolicy, failedAttempts: number, elapsedMs: number): number | undefined {
  if (failedAttempts >= policy.maxNumberOfAttempts) return undefined;
  const backoff = policy.backoffCoefficient && policy.backoffCoefficient > 0 ? policy.backoffCoefficient : 1;
  let delay = policy.firstRetryIntervalInMilliseconds * Math.pow(backoff, failedAttempts - 1);
  if (policy.maxRetryIntervalInMilliseconds && policy.maxRetryIntervalInMilliseconds > 0) {
    delay = Math.min(delay, policy.maxRetryIntervalInMilliseconds);
  }
  if (policy.retryTimeoutInMilliseconds && policy.retryTimeoutInMilliseconds > 0) {
    if (elapsedMs + delay > policy.retryTimeoutInMilliseconds) return undefined;
  }
  return delay;
}
