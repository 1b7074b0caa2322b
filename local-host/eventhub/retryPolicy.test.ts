import { maxRetryCountOf, retrySchedule } from './retryPolicy';

describe('retrySchedule', () => {
  it('does not retry without options', () => {
    expect(retrySchedule(undefined)(1)).toBeUndefined();
    expect(
      retrySchedule({ strategy: 'fixedDelay', maxRetryCount: 0, delayInterval: { seconds: 1 } })(1),
    ).toBeUndefined();
  });

  it('retries with a fixed delay up to maxRetryCount', () => {
    const s = retrySchedule({ strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 3 } });
    expect([s(1), s(2), s(3)]).toEqual([3000, 3000, undefined]);
  });

  it('backs off exponentially between the bounds, forever with -1', () => {
    const s = retrySchedule({
      retryStrategy: 'exponentialBackoff',
      maxRetryCount: -1,
      minimumInterval: { seconds: 1 },
      maximumInterval: { seconds: 5 },
    });
    expect([s(1), s(2), s(3), s(4), s(100)]).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('maxRetryCountOf', () => {
  it("is the policy's maxRetryCount (-1 unlimited) for the retryContext, undefined without a retrying policy", () => {
    expect(maxRetryCountOf({ strategy: 'exponentialBackoff', maxRetryCount: -1 })).toBe(-1);
    expect(maxRetryCountOf({ strategy: 'fixedDelay', maxRetryCount: 3 })).toBe(3);
    expect(maxRetryCountOf({ strategy: 'fixedDelay', maxRetryCount: 0 })).toBeUndefined();
    expect(maxRetryCountOf(undefined)).toBeUndefined();
  });
});
