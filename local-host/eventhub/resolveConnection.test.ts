import { resolveConnection } from './resolveConnection';

describe('resolveConnection', () => {
  it('uses the local hub for a missing, empty or UseLocalEventHub setting', () => {
    expect(resolveConnection('EH', {})).toEqual({ kind: 'local' });
    expect(resolveConnection('EH', { EH: '' })).toEqual({ kind: 'local' });
    expect(resolveConnection('EH', { EH: 'UseLocalEventHub=true' })).toEqual({ kind: 'local' });
  });

  it('uses a real namespace for a connection string, keeping EntityPath', () => {
    const cs = 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=hub';
    expect(resolveConnection('EH', { EH: cs })).toEqual({
      kind: 'connectionString',
      connectionString: cs,
      entityPath: 'hub',
      emulator: false,
    });
  });

  it('recognises the emulator', () => {
    const cs =
      'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';
    expect(resolveConnection('EH', { EH: cs })).toMatchObject({ kind: 'connectionString', emulator: true });
  });

  it('uses identity with __fullyQualifiedNamespace', () => {
    expect(resolveConnection('EH', { EH__fullyQualifiedNamespace: 'ns.servicebus.windows.net' })).toEqual({
      kind: 'identity',
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    });
  });

  it('explains what it expected for anything else', () => {
    expect(() => resolveConnection('EH', { EH: 'http://nope' })).toThrow(
      /App setting "EH" should hold an Event Hubs connection string.*found a value starting "http:\/\/nope"/,
    );
  });
});
