import { retryDelay } from './retryDelay';

describe('retryDelay', () => {
  it('backs off exponentially, caps at the max interval and stops after the last attempt', () => {
    const policy = {
      firstRetryIntervalInMilliseconds: 100,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 300,
    };
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n, 0))).toEqual([100, 200, 300, 300]);
    expect(retryDelay(policy, 5, 0)).toBeUndefined();
  });
  it('gives up when the retry timeout would pass', () => {
    expect(
      retryDelay(
        { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 9, retryTimeoutInMilliseconds: 150 },
        1,
        100,
      ),
    ).toBeUndefined();
  });
});
