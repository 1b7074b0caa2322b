import { MAX_HELD_WINDOWS, planWindowWrite } from './windowWriteDelay';

const base = { op: 'merge' as const, now: 100_000, delayMs: 10_000, waiting: 3, heldDue: undefined, retrying: false };

describe('planWindowWrite', () => {
  it('writes at once without a delay (the default)', () => {
    expect(planWindowWrite({ ...base, delayMs: 0 })).toEqual({ write: true });
  });

  it('holds the first windows until now + delay, and keeps that due while more are held', () => {
    expect(planWindowWrite(base)).toEqual({ write: false, due: 110_000 });
    expect(planWindowWrite({ ...base, op: 'commit', now: 105_000, heldDue: 110_000 })).toEqual({
      write: false,
      due: 110_000,
    });
  });

  it('writes once the held windows are due, once MAX_HELD_WINDOWS wait, on a flush and on a retry', () => {
    expect(planWindowWrite({ ...base, now: 110_000, heldDue: 110_000 })).toEqual({ write: true });
    expect(planWindowWrite({ ...base, waiting: MAX_HELD_WINDOWS })).toEqual({ write: true });
    expect(planWindowWrite({ ...base, waiting: MAX_HELD_WINDOWS - 1 })).toEqual({ write: false, due: 110_000 });
    expect(planWindowWrite({ ...base, op: 'flush', heldDue: 110_000 })).toEqual({ write: true });
    expect(planWindowWrite({ ...base, retrying: true })).toEqual({ write: true });
  });
});
