import { parseTimerSchedule } from './parseTimerSchedule';

describe('parseTimerSchedule', () => {
  it('reads TimeSpan intervals', () => {
    expect(parseTimerSchedule('00:00:30')).toMatchObject({ kind: 'interval', ms: 30_000 });
    expect(parseTimerSchedule('01:02:03')).toMatchObject({ kind: 'interval', ms: 3_723_000 });
    expect(parseTimerSchedule('1.00:00:00')).toMatchObject({ kind: 'interval', ms: 86_400_000 });
  });

  it('reads NCRONTAB expressions', () => {
    const s = parseTimerSchedule('0 */5 * * * *');
    expect(s.kind).toBe('cron');
    expect(s.kind === 'cron' && s.cron.minutes).toHaveLength(12);
  });

  it('rejects bad intervals and expressions', () => {
    expect(() => parseTimerSchedule('00:00:00')).toThrow(/longer than zero/);
    expect(() => parseTimerSchedule('00:61:00')).toThrow(/minutes\/seconds 0-59/);
    expect(() => parseTimerSchedule('every minute')).toThrow(/expected 6 fields/);
  });
});
