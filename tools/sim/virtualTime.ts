/**
 * The simulator's clock: Date.now reads it, and backoff sleeps (through the app's simulation hook) wait on it. It only
 * moves when the scheduler moves it, so a run does not depend on how fast the machine is.
 */
export class VirtualTime {
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  constructor(public now: number) {}

  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, resolve });
    });

  /** When the earliest sleeper wakes, if any sleeps. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** Moves the clock forward (never back) and wakes every sleeper due by then, earliest first. */
  advanceTo(at: number): number {
    this.now = Math.max(this.now, at);
    const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.resolve();
    return due.length;
  }

  /** A crash: the sleepers belonged to the dead process and never wake. */
  dropSleepers(): void {
    this.timers = [];
  }

  get sleepers(): number {
    return this.timers.length;
  }

  /** Makes Date.now read this clock; returns the undo. */
  install(): () => void {
    const real = Date.now;
    Date.now = () => this.now;
    return () => {
      Date.now = real;
    };
  }
}
