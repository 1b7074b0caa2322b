import { fixtureApp } from '../support/repoRoot';
import { startHostProcess } from '../support/startHostProcess';

// The emulator's well-known ports: this is the one test that needs them, because that is what
// "UseDevelopmentStorage=true" means.
const blobUrl = 'http://127.0.0.1:10000/devstoreaccount1?comp=list';

describe('embedded Azurite', () => {
  it('starts with the host when AzureWebJobsStorage is UseDevelopmentStorage=true and stops with it', async () => {
    const host = await startHostProcess({ app: fixtureApp('http-basic'), env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' } });
    try {
      expect(host.output()).toContain('Starting Azurite (blob 10000, queue 10001, table 10002) for AzureWebJobsStorage.');
      const res = await fetch(blobUrl);
      // Azurite answers unsigned requests with a storage error that carries a request id.
      expect(res.headers.get('x-ms-request-id')).toBeTruthy();
    } finally {
      expect(await host.stop()).toBe(0);
    }
    await expect(fetch(blobUrl)).rejects.toThrow();
  });

  it('is skipped with --no-azurite', async () => {
    const host = await startHostProcess({
      app: fixtureApp('http-basic'),
      args: ['--no-azurite'],
      env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    });
    try {
      expect(host.output()).not.toContain('Starting Azurite');
      expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(200);
    } finally {
      await host.stop();
    }
  });
});
