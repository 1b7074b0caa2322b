import { formatSummary } from './summary';

describe('formatSummary', () => {
  it('reports count, duration, rate and failures', () => {
    expect(formatSummary({ sent: 1000, failed: 2, durationMs: 2000 })).toBe(
      'Sent 1000 events in 2.00 s (500 events/s), 2 failed.',
    );
    expect(formatSummary({ sent: 0, failed: 0, durationMs: 0 })).toBe(
      'Sent 0 events in 0.00 s (0 events/s), 0 failed.',
    );
  });
});
