import { azuritePortsFor } from './azuritePortsFor';

describe('azuritePortsFor', () => {
  it('starts on the standard ports for UseDevelopmentStorage=true', () => {
    expect(azuritePortsFor('UseDevelopmentStorage=true')).toEqual({ blob: 10000, queue: 10001, table: 10002 });
  });

  it('starts for explicit emulator endpoints on 127.0.0.1', () => {
    const cs =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=x;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';
    expect(azuritePortsFor(cs)).toEqual({ blob: 10000, queue: 10001, table: 10002 });
  });

  it('does not start for other accounts, other ports, empty or missing settings', () => {
    expect(
      azuritePortsFor('DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=x;EndpointSuffix=core.windows.net'),
    ).toBeUndefined();
    expect(azuritePortsFor('BlobEndpoint=http://127.0.0.1:20000/devstoreaccount1')).toBeUndefined();
    expect(azuritePortsFor('')).toBeUndefined();
    expect(azuritePortsFor(undefined)).toBeUndefined();
  });
});
