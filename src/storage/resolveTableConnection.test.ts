import { resolveTableConnection } from './resolveTableConnection';

describe('resolveTableConnection', () => {
  it('uses the connection string, insecure for Azurite', () => {
    expect(resolveTableConnection({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' })).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
      allowInsecureConnection: true,
    });
    const azurite =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:5555/devstoreaccount1;';
    expect(resolveTableConnection({ AzureWebJobsStorage: azurite })).toMatchObject({ allowInsecureConnection: true });
  });

  it('keeps TLS for a real account connection string, and prefers it over identity settings', () => {
    const real = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(resolveTableConnection({ AzureWebJobsStorage: real, AzureWebJobsStorage__accountName: 'other' })).toEqual({
      kind: 'connectionString',
      connectionString: real,
      allowInsecureConnection: false,
    });
  });

  it('uses managed identity from accountName or tableServiceUri, with an optional client id', () => {
    expect(resolveTableConnection({ AzureWebJobsStorage__accountName: 'streamfoldsa' })).toEqual({
      kind: 'identity',
      endpoint: 'https://streamfoldsa.table.core.windows.net',
      clientId: undefined,
    });
    expect(
      resolveTableConnection({
        AzureWebJobsStorage__tableServiceUri: 'https://x.table.core.windows.net/',
        AzureWebJobsStorage__clientId: 'abc',
      }),
    ).toEqual({ kind: 'identity', endpoint: 'https://x.table.core.windows.net', clientId: 'abc' });
  });

  it('names the settings when nothing usable is set', () => {
    expect(() => resolveTableConnection({})).toThrow(/expected AzureWebJobsStorage .* found none of them set/);
    expect(() => resolveTableConnection({ AzureWebJobsStorage__accountName: 'Bad_Name' })).toThrow(
      'AzureWebJobsStorage__accountName: expected a storage account name (3-24 lowercase letters and digits), found "Bad_Name"',
    );
    expect(() => resolveTableConnection({ AzureWebJobsStorage__tableServiceUri: 'x.table' })).toThrow(
      /tableServiceUri: expected an http\(s\) URL/,
    );
  });
});
