import { authLevelOf, checkKey } from './createAuthorizer';

describe('checkKey', () => {
  const keys = { masterKey: 'master', functionKey: 'fn', generated: false };

  it('lets anyone call anonymous endpoints', () => {
    expect(checkKey(keys, 'anonymous', undefined)).toEqual({ ok: true });
  });

  it('accepts function or master key for function level', () => {
    expect(checkKey(keys, 'function', 'fn')).toEqual({ ok: true });
    expect(checkKey(keys, 'function', 'master')).toEqual({ ok: true });
    expect(checkKey(keys, 'function', 'wrong')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Invalid key/),
    });
    expect(checkKey(keys, 'function', undefined)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Missing key/),
    });
  });

  it('accepts only the master key for admin level', () => {
    expect(checkKey(keys, 'admin', 'master')).toEqual({ ok: true });
    expect(checkKey(keys, 'admin', 'fn')).toMatchObject({
      ok: false,
      message: expect.stringContaining('the master key'),
    });
  });
});

describe('authLevelOf', () => {
  it('normalises the binding value', () => {
    expect(authLevelOf('Anonymous')).toBe('anonymous');
    expect(authLevelOf('ADMIN')).toBe('admin');
    expect(authLevelOf('function')).toBe('function');
    expect(authLevelOf(undefined)).toBe('function');
  });
});
