import { fromRpcHttp } from './fromRpcHttp';

describe('fromRpcHttp', () => {
  it('answers 204 with no body when the function returned nothing', () => {
    expect(fromRpcHttp(undefined)).toEqual({ status: 204, headers: [], body: Buffer.alloc(0) });
  });

  it('reads status, headers, cookies and body', () => {
    const res = fromRpcHttp({
      http: {
        statusCode: '201',
        headers: { 'content-type': 'application/json' },
        cookies: [{ name: 'a', value: '1', sameSite: 'lax' }],
        body: { bytes: new Uint8Array(Buffer.from('{"ok":true}')) },
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers).toEqual([
      ['content-type', 'application/json'],
      ['set-cookie', 'a=1; SameSite=Lax'],
    ]);
    expect(res.body.toString()).toBe('{"ok":true}');
  });

  it('defaults the status to 200 and uses a plain value as the body', () => {
    expect(fromRpcHttp({ http: {} }).status).toBe(200);
    expect(fromRpcHttp({ string: 'hi' })).toEqual({ status: 200, headers: [], body: Buffer.from('hi') });
  });

  it('rejects a status that is not a number', () => {
    expect(() => fromRpcHttp({ http: { statusCode: 'abc' } })).toThrow(/HTTP status "abc"/);
  });
});
