import { toRpcHttp } from './toRpcHttp';

describe('toRpcHttp', () => {
  it('converts method, url, headers, query, params and body', () => {
    const data = toRpcHttp({
      method: 'post',
      url: 'http://localhost:7071/api/items/3?tag=a&tag=b&q=x',
      headers: { 'content-type': 'text/plain', 'x-multi': ['1', '2'] },
      params: { id: '3' },
      body: Buffer.from('hello'),
    });
    expect(data.http?.method).toBe('POST');
    expect(data.http?.url).toBe('http://localhost:7071/api/items/3?tag=a&tag=b&q=x');
    expect(data.http?.nullableHeaders).toEqual({
      'content-type': { value: 'text/plain' },
      'x-multi': { value: '1, 2' },
    });
    expect(data.http?.nullableQuery).toEqual({ tag: { value: 'a,b' }, q: { value: 'x' } });
    expect(data.http?.nullableParams).toEqual({ id: { value: '3' } });
    expect(Buffer.from(data.http?.body?.bytes ?? []).toString()).toBe('hello');
  });

  it('omits an empty body', () => {
    const data = toRpcHttp({ method: 'GET', url: 'http://h/api/x', headers: {}, params: {}, body: Buffer.alloc(0) });
    expect(data.http?.body).toBeUndefined();
    expect(data.http?.nullableQuery).toEqual({});
  });
});
