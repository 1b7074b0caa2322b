import { loadSettings, SettingsError } from './settings';

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    expect(loadSettings({})).toEqual({
      eventHubName: 'events',
      eventHubConsumerGroup: '$Default',
      alertsEventHubName: 'alerts',
      analysisSchedule: '',
      pipelineRefreshSeconds: 10,
      streamRetentionWindows: 60,
    });
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
      }),
    ).toEqual({
      eventHubName: 'in',
      eventHubConsumerGroup: 'cg',
      alertsEventHubName: 'out',
      analysisSchedule: '0 */5 * * * *',
      pipelineRefreshSeconds: 3,
      streamRetentionWindows: 120,
    });
  });

  it('names the setting, the expectation and what was found', () => {
    expect(() => loadSettings({ PIPELINE_REFRESH_SECONDS: 'soon' })).toThrow(SettingsError);
    expect(() => loadSettings({ PIPELINE_REFRESH_SECONDS: 'soon' })).toThrow('PIPELINE_REFRESH_SECONDS: expected a positive whole number of seconds, found "soon"');
    expect(() => loadSettings({ STREAM_RETENTION_WINDOWS: '0', PIPELINE_REFRESH_SECONDS: '1.5' })).toThrow(
      /PIPELINE_REFRESH_SECONDS: .*found "1.5"; STREAM_RETENTION_WINDOWS: expected a whole number from 1 to 10000, found "0"/,
    );
    // Pipelines accept at most 10,000 live windows, so a larger default could never be stored.
    expect(() => loadSettings({ STREAM_RETENTION_WINDOWS: '10001' })).toThrow('STREAM_RETENTION_WINDOWS: expected a whole number from 1 to 10000, found "10001"');
  });
});
