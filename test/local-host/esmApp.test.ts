import { fixtureApp } from '../support/repoRoot';
import { startHostProcess } from '../support/startHostProcess';

describe('ES module apps', () => {
  it('loads entry files of a "type": "module" package with import', async () => {
    const host = await startHostProcess({ app: fixtureApp('http-basic/esm-app') });
    try {
      expect(await (await fetch(`${host.baseUrl}/api/esm`)).json()).toEqual({ module: 'esm' });
    } finally {
      await host.stop();
    }
  });
});
