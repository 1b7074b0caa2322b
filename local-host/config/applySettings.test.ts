import { applySettings } from './applySettings';

describe('applySettings', () => {
  it('adds Values and ConnectionStrings but keeps variables already set', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'shell' };
    const applied = applySettings({ values: { KEEP: 'file', NEW: 'v' }, connectionStrings: { Db: 'cs' } }, env);
    expect(env).toEqual({ KEEP: 'shell', NEW: 'v', 'ConnectionStrings:Db': 'cs' });
    expect(applied).toEqual(['NEW', 'ConnectionStrings:Db']);
  });
});
