import { RateLimiter } from './rateLimiter';

describe('RateLimiter', () => {
  it('spaces batches by count / rate from the start', () => {
    const limiter = new RateLimiter(100, 1000);
    expect(limiter.delayFor(10, 1000)).toBe(0);
    expect(limiter.delayFor(10, 1000)).toBe(100);
    expect(limiter.delayFor(10, 1050)).toBe(150);
  });
  it('catches up after a slow send instead of drifting', () => {
    const limiter = new RateLimiter(10, 0);
    limiter.delayFor(5, 0);
    expect(limiter.delayFor(5, 2000)).toBe(0); // due at 500, already late
    expect(limiter.delayFor(5, 2000)).toBe(0); // due at 1000
    expect(limiter.delayFor(5, 1200)).toBe(300); // due at 1500
  });
  it('never waits without a rate', () => {
    const limiter = new RateLimiter(0, 0);
    expect(limiter.delayFor(1_000_000, 0)).toBe(0);
  });
});
