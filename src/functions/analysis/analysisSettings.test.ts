import { DEFAULT_ALERT_MIN_SEVERITY } from '../../core/analysis/detectAnomalies';
import { alertMinSeverity, analysisPeriodMinutes, analysisSchedule } from './analysisSettings';

describe('analysis settings', () => {
  it('uses the defaults when unset or blank', () => {
    expect(alertMinSeverity({})).toBe(DEFAULT_ALERT_MIN_SEVERITY);
    expect(alertMinSeverity({ ALERT_MIN_SEVERITY: '  ' })).toBe(DEFAULT_ALERT_MIN_SEVERITY);
    expect(analysisPeriodMinutes({})).toBe(60);
    expect(analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '' })).toBe(60);
    expect(analysisSchedule({})).toBe('');
    expect(analysisSchedule({ ANALYSIS_SCHEDULE: '   ' })).toBe('');
  });

  it('reads the values infra sets', () => {
    expect(alertMinSeverity({ ALERT_MIN_SEVERITY: '1.5' })).toBe(1.5);
    expect(alertMinSeverity({ ALERT_MIN_SEVERITY: ' 2 ' })).toBe(2);
    expect(analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '60' })).toBe(60);
    expect(analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '10080' })).toBe(10_080);
    expect(analysisSchedule({ ANALYSIS_SCHEDULE: ' 0 5 * * * * ' })).toBe('0 5 * * * *');
  });

  it('names the setting, what was expected and what was found', () => {
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: 'high' })).toThrow('ALERT_MIN_SEVERITY: expected a positive number such as 1.5, found "high"');
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: '0' })).toThrow('found "0"');
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: 'Infinity' })).toThrow('found "Infinity"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: 'hourly' })).toThrow('ANALYSIS_PERIOD_MINUTES: expected a whole number of minutes from 1 to 10080, found "hourly"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '1.5' })).toThrow('found "1.5"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '0' })).toThrow('found "0"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '10081' })).toThrow('found "10081"');
  });
});
