import { toSetCookie } from './toSetCookie';

describe('toSetCookie', () => {
  it('writes name and value only when nothing else is set', () => {
    expect(toSetCookie({ name: 'a', value: '1', sameSite: 'none' })).toBe('a=1');
  });

  it('writes every attribute', () => {
    expect(
      toSetCookie({
        name: 'sid',
        value: 'xyz',
        domain: { value: 'example.com' },
        path: { value: '/' },
        expires: { value: { seconds: 0 } },
        secure: { value: true },
        httpOnly: { value: true },
        sameSite: 'strict',
        maxAge: { value: 60 },
      }),
    ).toBe(
      'sid=xyz; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Strict',
    );
  });

  it('maps explicitNone and lax', () => {
    expect(toSetCookie({ name: 'a', value: '1', sameSite: 'explicitNone' })).toBe('a=1; SameSite=None');
    expect(toSetCookie({ name: 'a', value: '1', sameSite: 'lax' })).toBe('a=1; SameSite=Lax');
  });
});
