/**
 * Paces sends to a target rate without drift: event k is due at start + k / rate, so a slow send is made
 * up by the next ones instead of lowering the average. rate <= 0 means as fast as possible.
 */
export class RateLimiter {
  private sent = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly start: number,
  ) {}

  /** How long to wait (ms, >= 0) before sending `count` more events at time `now`. */
  delayFor(count: number, now: number): number {
    if (this.ratePerSecond <= 0) {
      this.sent += count;
      return 0;
    }
    // The batch may go once its first event is due.
    const due = this.start + (this.sent * 1000) / this.ratePerSecond;
    this.sent += count;
    return Math.max(0, due - now);
  }
}
