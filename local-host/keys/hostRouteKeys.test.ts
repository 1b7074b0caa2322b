import { checkHostRouteKey, systemKeyOf } from './hostRouteKeys';

describe('host route keys', () => {
  const keys = { masterKey: 'master', functionKey: 'function', generated: false };
  const system = systemKeyOf(keys);

  it('derives a stable system key that differs from the other keys and follows the master key', () => {
    expect(systemKeyOf(keys)).toBe(system);
    expect(system).not.toBe(keys.masterKey);
    expect(system).not.toBe(keys.functionKey);
    expect(systemKeyOf({ ...keys, masterKey: 'other' })).not.toBe(system);
  });

  it('takes the system or master key on system routes, never the function key', () => {
    expect(checkHostRouteKey(keys, 'system', system)).toEqual({ ok: true });
    expect(checkHostRouteKey(keys, 'system', 'master')).toEqual({ ok: true });
    expect(checkHostRouteKey(keys, 'system', 'function')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Invalid key: .*system key or the master key/),
    });
    expect(checkHostRouteKey(keys, 'system', undefined)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Missing key/),
    });
    expect(checkHostRouteKey(keys, 'system', '')).toMatchObject({ ok: false });
  });

  it('checks the other levels as function routes do', () => {
    expect(checkHostRouteKey(keys, 'function', 'function')).toEqual({ ok: true });
    expect(checkHostRouteKey(keys, 'admin', 'function')).toMatchObject({ ok: false });
    expect(checkHostRouteKey(keys, 'admin', system)).toMatchObject({ ok: false });
    expect(checkHostRouteKey(keys, 'anonymous', undefined)).toEqual({ ok: true });
  });
});
