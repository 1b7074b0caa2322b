import { DEFAULT_ALERT_MIN_SEVERITY } from './core/analysis/detectAnomalies';
import { loadSettings, SettingsError } from './settings';

const DAY = 86_400_000;

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    expect(loadSettings({})).toEqual({
      eventHubName: 'events',
      eventHubConsumerGroup: '$Default',
      alertsEventHubName: 'alerts',
      analysisSchedule: '',
      pipelineRefreshSeconds: 10,
      streamRetentionWindows: 60,
      idleFlushSchedule: '*/30 * * * * *',
      deadLetterUnmatched: false,
      windowRetentionMs: 90 * DAY,
      deadLetterRetentionMs: 30 * DAY,
      metricsRetentionMs: 7 * DAY,
      reportRetentionMs: 90 * DAY,
      purgeSchedule: '0 7 * * * *',
      maxFutureSkewMs: 3_600_000,
      minEventTime: null,
      eventHubPartitionCount: null,
      entityFlushIntervalMs: 0,
      windowWriteDelayMs: 0,
      alertMinSeverity: DEFAULT_ALERT_MIN_SEVERITY,
      analysisPeriodMinutes: 60,
    });
  });

  it('reads the retentions as ISO 8601 durations of at least an hour, and the purge schedule (empty disables it)', () => {
    expect(
      loadSettings({
        WINDOW_RETENTION: 'P1DT12H',
        DEADLETTER_RETENTION: ' PT1H ',
        METRICS_RETENTION: '',
        REPORT_RETENTION: 'PT90M',
      }),
    ).toMatchObject({
      windowRetentionMs: 36 * 3_600_000,
      deadLetterRetentionMs: 3_600_000,
      metricsRetentionMs: 7 * DAY,
      reportRetentionMs: 90 * 60_000,
    });
    expect(loadSettings({ PURGE_SCHEDULE: '' }).purgeSchedule).toBe('');
    expect(() => loadSettings({ DEADLETTER_RETENTION: '30d' })).toThrow(
      'DEADLETTER_RETENTION: expected an ISO 8601 duration of days, hours, minutes or seconds of at least PT1H, such as P30D, found "30d"',
    );
    expect(() => loadSettings({ WINDOW_RETENTION: 'PT59M' })).toThrow(
      /^Invalid app settings: WINDOW_RETENTION: expected .* found "PT59M"$/,
    );
    expect(() => loadSettings({ METRICS_RETENTION: 'P1M' })).toThrow(/METRICS_RETENTION: expected .* found "P1M"/); // months have no fixed length
  });

  it('reads MAX_FUTURE_SKEW (ISO duration) and MIN_EVENT_TIME (ISO time, empty = off), naming a bad value', () => {
    expect(loadSettings({ MAX_FUTURE_SKEW: 'PT10M' }).maxFutureSkewMs).toBe(600_000);
    expect(loadSettings({ MAX_FUTURE_SKEW: 'PT0S' }).maxFutureSkewMs).toBe(0);
    expect(loadSettings({ MAX_FUTURE_SKEW: '' }).maxFutureSkewMs).toBe(3_600_000);
    expect(() => loadSettings({ MAX_FUTURE_SKEW: '1h' })).toThrow(
      'MAX_FUTURE_SKEW: expected an ISO 8601 duration such as "PT1H" or "PT10M", found "1h"',
    );
    expect(loadSettings({ MIN_EVENT_TIME: '2000-01-01T00:00:00Z' }).minEventTime).toBe(Date.UTC(2000, 0, 1));
    expect(loadSettings({ MIN_EVENT_TIME: ' ' }).minEventTime).toBeNull();
    expect(() => loadSettings({ MIN_EVENT_TIME: '2000-02-30' })).toThrow(
      'MIN_EVENT_TIME: expected an ISO 8601 time such as "2000-01-01T00:00:00Z", or empty for no floor, found "2000-02-30"',
    );
  });

  it('reads EVENTHUB_PARTITION_COUNT (empty = not configured), naming a bad value', () => {
    expect(loadSettings({ EVENTHUB_PARTITION_COUNT: '4' }).eventHubPartitionCount).toBe(4);
    expect(loadSettings({ EVENTHUB_PARTITION_COUNT: '' }).eventHubPartitionCount).toBeNull();
    expect(() => loadSettings({ EVENTHUB_PARTITION_COUNT: '0' })).toThrow(
      'EVENTHUB_PARTITION_COUNT: expected a whole number of partitions from 1 to 1024, or empty, found "0"',
    );
    expect(() => loadSettings({ EVENTHUB_PARTITION_COUNT: 'four' })).toThrow(
      'EVENTHUB_PARTITION_COUNT: expected a whole number of partitions from 1 to 1024, or empty, found "four"',
    );
  });

  it('reads the idle flush schedule (empty disables it) and DEADLETTER_UNMATCHED', () => {
    expect(loadSettings({ IDLE_FLUSH_SCHEDULE: '' }).idleFlushSchedule).toBe('');
    expect(loadSettings({ IDLE_FLUSH_SCHEDULE: ' */2 * * * * * ' }).idleFlushSchedule).toBe('*/2 * * * * *');
    expect(loadSettings({ DEADLETTER_UNMATCHED: 'TRUE' }).deadLetterUnmatched).toBe(true);
    expect(loadSettings({ DEADLETTER_UNMATCHED: 'false' }).deadLetterUnmatched).toBe(false);
    expect(loadSettings({ DEADLETTER_UNMATCHED: '' }).deadLetterUnmatched).toBe(false);
    expect(() => loadSettings({ DEADLETTER_UNMATCHED: 'yes' })).toThrow(
      'DEADLETTER_UNMATCHED: expected true or false, found "yes"',
    );
  });

  it('reads every setting from the environment', () => {
    expect(
      loadSettings({
        EVENTHUB_NAME: 'in',
        EVENTHUB_CONSUMER_GROUP: 'cg',
        ALERTS_EVENTHUB_NAME: 'out',
        ANALYSIS_SCHEDULE: '0 */5 * * * *',
        PIPELINE_REFRESH_SECONDS: '3',
        STREAM_RETENTION_WINDOWS: ' 120 ',
        IDLE_FLUSH_SCHEDULE: '0 * * * * *',
        DEADLETTER_UNMATCHED: 'true',
        WINDOW_RETENTION: 'P10D',
        DEADLETTER_RETENTION: 'P2D',
        METRICS_RETENTION: 'PT6H',
        REPORT_RETENTION: 'P20D',
        PURGE_SCHEDULE: '0 0 * * * *',
        MAX_FUTURE_SKEW: 'PT5M',
        MIN_EVENT_TIME: '1990-01-01',
        EVENTHUB_PARTITION_COUNT: ' 32 ',
        ENTITY_FLUSH_INTERVAL: 'PT2S',
        ALERT_MIN_SEVERITY: '2.5',
        ANALYSIS_PERIOD_MINUTES: '15',
      }),
    ).toEqual({
      eventHubName: 'in',
      eventHubConsumerGroup: 'cg',
      alertsEventHubName: 'out',
      analysisSchedule: '0 */5 * * * *',
      pipelineRefreshSeconds: 3,
      streamRetentionWindows: 120,
      idleFlushSchedule: '0 * * * * *',
      deadLetterUnmatched: true,
      windowRetentionMs: 10 * DAY,
      deadLetterRetentionMs: 2 * DAY,
      metricsRetentionMs: 6 * 3_600_000,
      reportRetentionMs: 20 * DAY,
      purgeSchedule: '0 0 * * * *',
      maxFutureSkewMs: 300_000,
      minEventTime: Date.UTC(1990, 0, 1),
      eventHubPartitionCount: 32,
      entityFlushIntervalMs: 2000,
      windowWriteDelayMs: 0,
      alertMinSeverity: 2.5,
      analysisPeriodMinutes: 15,
    });
  });

  it('WINDOW_WRITE_DELAY: an ISO 8601 duration up to a minute (PT0S = write at once)', () => {
    expect(loadSettings({ WINDOW_WRITE_DELAY: 'PT10S' }).windowWriteDelayMs).toBe(10_000);
    expect(loadSettings({}).windowWriteDelayMs).toBe(0);
    expect(() => loadSettings({ WINDOW_WRITE_DELAY: 'PT2M' })).toThrow(
      'WINDOW_WRITE_DELAY: expected an ISO 8601 duration from PT0S to PT1M, such as "PT10S", found "PT2M"',
    );
  });

  it('ENTITY_FLUSH_INTERVAL: an ISO 8601 duration up to a minute (PT0S = no coalescing)', () => {
    expect(loadSettings({ ENTITY_FLUSH_INTERVAL: 'PT0.5S' }).entityFlushIntervalMs).toBe(500);
    expect(loadSettings({ ENTITY_FLUSH_INTERVAL: ' ' }).entityFlushIntervalMs).toBe(0);
    expect(() => loadSettings({ ENTITY_FLUSH_INTERVAL: 'PT2M' })).toThrow(
      'ENTITY_FLUSH_INTERVAL: expected an ISO 8601 duration from PT0S to PT1M, such as "PT2S", found "PT2M"',
    );
    expect(() => loadSettings({ ENTITY_FLUSH_INTERVAL: '2s' })).toThrow(
      /ENTITY_FLUSH_INTERVAL: expected .* found "2s"/,
    );
  });

  it('names the setting, the expectation and what was found', () => {
    expect(() => loadSettings({ PIPELINE_REFRESH_SECONDS: 'soon' })).toThrow(SettingsError);
    expect(() => loadSettings({ PIPELINE_REFRESH_SECONDS: 'soon' })).toThrow(
      'PIPELINE_REFRESH_SECONDS: expected a positive whole number of seconds, found "soon"',
    );
    expect(() => loadSettings({ STREAM_RETENTION_WINDOWS: '0', PIPELINE_REFRESH_SECONDS: '1.5' })).toThrow(
      /PIPELINE_REFRESH_SECONDS: .*found "1.5"; STREAM_RETENTION_WINDOWS: expected a whole number from 1 to 10000, found "0"/,
    );
    // Pipelines accept at most 10,000 live windows, so a larger default could never be stored.
    expect(() => loadSettings({ STREAM_RETENTION_WINDOWS: '10001' })).toThrow(
      'STREAM_RETENTION_WINDOWS: expected a whole number from 1 to 10000, found "10001"',
    );
  });
});

// The analysis settings (once parsed apart from the others) read through loadSettings: the same assertions as then.
const alertMinSeverity = (env: NodeJS.ProcessEnv) => loadSettings(env).alertMinSeverity;
const analysisPeriodMinutes = (env: NodeJS.ProcessEnv) => loadSettings(env).analysisPeriodMinutes;
const analysisSchedule = (env: NodeJS.ProcessEnv) => loadSettings(env).analysisSchedule;

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
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: 'high' })).toThrow(
      'ALERT_MIN_SEVERITY: expected a positive number such as 1.5, found "high"',
    );
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: '0' })).toThrow('found "0"');
    expect(() => alertMinSeverity({ ALERT_MIN_SEVERITY: 'Infinity' })).toThrow('found "Infinity"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: 'hourly' })).toThrow(
      'ANALYSIS_PERIOD_MINUTES: expected a whole number of minutes from 1 to 10080, found "hourly"',
    );
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '1.5' })).toThrow('found "1.5"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '0' })).toThrow('found "0"');
    expect(() => analysisPeriodMinutes({ ANALYSIS_PERIOD_MINUTES: '10081' })).toThrow('found "10081"');
  });
});
