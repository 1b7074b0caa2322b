import {
  connectionsUsed,
  majorSatisfies,
  settingDefault,
  settingNamesRead,
  settingsModuleKeys,
  tableNamesUsed,
} from './codeReads';

describe('codeReads: what the app reads, from its source text', () => {
  it('finds settings read through process.env, env[...], %NAME% bindings and helper calls with an env', () => {
    const src =
      "const a = process.env.EVENTHUB_NAME; const b = env['ANALYSIS_SCHEDULE'];\n" +
      "app.eventHub('ingest', { connection: 'EventHubConnection', eventHubName: '%EVENTHUB_NAME%', consumerGroup: '%GROUP%' });\n" +
      "const c = raw(env, 'ALERT_MIN_SEVERITY');";
    expect(settingNamesRead(src)).toEqual(['ALERT_MIN_SEVERITY', 'ANALYSIS_SCHEDULE', 'EVENTHUB_NAME', 'GROUP']);
    expect(connectionsUsed(src)).toEqual(['EventHubConnection']);
  });

  it('resolves names built from a constant of the same file', () => {
    const src =
      "const SETTING = 'AzureWebJobsStorage';\nconst cs = env[SETTING];\nconst id = env[`${SETTING}__clientId`];";
    expect(settingNamesRead(src)).toEqual(['AzureWebJobsStorage', 'AzureWebJobsStorage__clientId']);
  });

  it('finds the settings a settings module defines, and their string defaults', () => {
    const src =
      "const schema = z.object({\n  EVENTHUB_NAME: name('events'),\n  PIPELINE_REFRESH_SECONDS: positiveInt(10),\n  eventHubName: x,\n});";
    expect(settingsModuleKeys(src)).toEqual(['EVENTHUB_NAME', 'PIPELINE_REFRESH_SECONDS']);
    expect(settingDefault(src, 'EVENTHUB_NAME')).toBe('events');
    expect(settingDefault(src, 'PIPELINE_REFRESH_SECONDS')).toBeUndefined();
  });

  it('finds table names in *_TABLE constants and a TABLE_NAMES object', () => {
    const src =
      "export const REPORTS_TABLE = 'Reports';\nexport const TABLE_NAMES = {\n  windows: 'Windows',\n  streams: 'Streams',\n} as const;";
    expect(tableNamesUsed(src)).toEqual(['Reports', 'Streams', 'Windows']);
  });

  it('checks a Node major against simple engines ranges and refuses ranges it cannot read', () => {
    expect(majorSatisfies(22, '>=20')).toBe(true);
    expect(majorSatisfies(18, '>=20')).toBe(false);
    expect(majorSatisfies(20, '>=20.5')).toBe(false);
    expect(majorSatisfies(22, '>=20 <23')).toBe(true);
    expect(majorSatisfies(24, '>=20 <23')).toBe(false);
    expect(() => majorSatisfies(22, '^20 || ^22')).toThrow(/engines\.node: expected comparators/);
  });
});
