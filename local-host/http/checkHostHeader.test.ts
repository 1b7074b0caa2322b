import { checkHostHeader, parseAllowedHost } from './checkHostHeader';

describe('checkHostHeader', () => {
  it('accepts loopback names and addresses on any port', () => {
    for (const host of [
      'localhost',
      'localhost:7071',
      'LOCALHOST:1',
      '127.0.0.1',
      '127.0.0.1:7071',
      '127.1.2.3:80',
      '[::1]',
      '[::1]:7071',
      'localhost.',
    ]) {
      expect(checkHostHeader(host, [])).toMatchObject({ ok: true });
    }
    expect(checkHostHeader('Localhost:7071', [])).toEqual({ ok: true, host: 'localhost:7071' });
    expect(checkHostHeader(undefined, [])).toEqual({ ok: true, host: 'localhost' });
  });

  it('refuses other names with 421 (DNS rebinding), and look-alikes of loopback', () => {
    for (const host of [
      'evil.example',
      'evil.example:7071',
      '127.0.0.1.evil.example',
      '128.0.0.1',
      '127.0.0.256',
      '[::2]',
      '0.0.0.0',
      'localhost.evil',
    ]) {
      expect(checkHostHeader(host, [])).toMatchObject({
        ok: false,
        status: 421,
        detail: expect.stringContaining(JSON.stringify(host)),
      });
    }
  });

  it('refuses malformed values with 400 naming what it found', () => {
    for (const host of [
      'a b',
      'a/b',
      'user@localhost',
      'localhost:99999',
      'localhost:',
      ':80',
      '[::1',
      'local host:1',
    ]) {
      expect(checkHostHeader(host, [])).toMatchObject({
        ok: false,
        status: 400,
        detail: expect.stringMatching(/^The Host header must be host\[:port\]; found /),
      });
    }
  });

  it('accepts configured hosts, by name (any port) or pinned to a port', () => {
    const allowed = ['devbox', 'tunnel.example:8443'];
    expect(checkHostHeader('DevBox:7071', allowed)).toEqual({ ok: true, host: 'devbox:7071' });
    expect(checkHostHeader('tunnel.example:8443', allowed)).toMatchObject({ ok: true });
    expect(checkHostHeader('tunnel.example:7071', allowed)).toMatchObject({ ok: false, status: 421 });
    expect(checkHostHeader('tunnel.example', allowed)).toMatchObject({ ok: false, status: 421 });
  });
});

describe('parseAllowedHost', () => {
  it('normalises entries and refuses what is not host[:port]', () => {
    expect(parseAllowedHost(' DevBox ')).toBe('devbox');
    expect(parseAllowedHost('tunnel.example:08443')).toBe('tunnel.example:8443');
    expect(() => parseAllowedHost('http://devbox')).toThrow(
      /expected an allowed host as name or name:port .*found "http:\/\/devbox"/,
    );
    expect(() => parseAllowedHost('devbox:70000')).toThrow(/found "devbox:70000"/);
  });
});
