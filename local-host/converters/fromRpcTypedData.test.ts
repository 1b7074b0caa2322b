import { fromRpcTypedData } from './fromRpcTypedData';

describe('fromRpcTypedData', () => {
  it('decodes each case', () => {
    expect(fromRpcTypedData(undefined)).toBeUndefined();
    expect(fromRpcTypedData({})).toBeUndefined();
    expect(fromRpcTypedData({ string: '{"a":1}' })).toBe('{"a":1}');
    expect(fromRpcTypedData({ json: '{"a":1}' })).toEqual({ a: 1 });
    expect(fromRpcTypedData({ bytes: new Uint8Array([1]) })).toEqual(Buffer.from([1]));
    expect(fromRpcTypedData({ stream: new Uint8Array([2]) })).toEqual(Buffer.from([2]));
    expect(fromRpcTypedData({ http: { method: 'GET' } })).toEqual({ method: 'GET' });
    expect(fromRpcTypedData({ int: 4 })).toBe(4);
    expect(fromRpcTypedData({ double: 0.5 })).toBe(0.5);
    expect(fromRpcTypedData({ collectionBytes: { bytes: [new Uint8Array([1])] } })).toEqual([Buffer.from([1])]);
    expect(fromRpcTypedData({ collectionString: { string: ['x'] } })).toEqual(['x']);
    expect(fromRpcTypedData({ collectionDouble: { double: [1.5] } })).toEqual([1.5]);
    expect(fromRpcTypedData({ collectionSint64: { sint64: [7] } })).toEqual([7]);
  });
});
