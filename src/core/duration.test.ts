import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads units and milliseconds, and rejects anything else', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('1 minute')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(3_600_000)).toBe('1h');
  });
});
