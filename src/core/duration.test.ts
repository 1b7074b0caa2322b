import fc from 'fast-check';

import { formatDuration, parseDuration } from './duration';

describe('parseDuration (ISO 8601)', () => {
  it('reads days, hours, minutes and seconds, with a fraction on the last unit', () => {
    expect(parseDuration('PT1M')).toBe(60_000);
    expect(parseDuration('PT15M')).toBe(900_000);
    expect(parseDuration('PT1H')).toBe(3_600_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('P1DT1H30M')).toBe(86_400_000 + 5_400_000);
    expect(parseDuration('PT1.5H')).toBe(5_400_000);
    expect(parseDuration('PT0S')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of [
      '10s',
      '1m',
      'P',
      'PT',
      'P1M',
      'P1Y',
      'P1W',
      'PT1.5H30M',
      'pt1m',
      ' PT1M',
      'PT-1S',
      '',
      1500,
      null,
    ]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });

  it('round-trips whole milliseconds through formatDuration', () => {
    expect(formatDuration(90_000)).toBe('PT1M30S');
    expect(formatDuration(3_600_000)).toBe('PT1H');
    expect(formatDuration(500)).toBe('PT0.5S');
    expect(formatDuration(0)).toBe('PT0S');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
    );
  });
});
