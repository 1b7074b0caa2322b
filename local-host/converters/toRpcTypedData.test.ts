import { toRpcTypedData } from './toRpcTypedData';

describe('toRpcTypedData', () => {
  it('encodes each value shape', () => {
    expect(toRpcTypedData('s')).toEqual({ string: 's' });
    expect(toRpcTypedData(Buffer.from([1]))).toEqual({ bytes: new Uint8Array([1]) });
    expect(toRpcTypedData(3)).toEqual({ int: 3 });
    expect(toRpcTypedData(1.5)).toEqual({ double: 1.5 });
    expect(toRpcTypedData(['a', 'b'])).toEqual({ collectionString: { string: ['a', 'b'] } });
    expect(toRpcTypedData([new Uint8Array([1])])).toEqual({ collectionBytes: { bytes: [new Uint8Array([1])] } });
    expect(toRpcTypedData([1, 2])).toEqual({ collectionSint64: { sint64: [1, 2] } });
    expect(toRpcTypedData([1.5, 2])).toEqual({ collectionDouble: { double: [1.5, 2] } });
    expect(toRpcTypedData({ a: 1 })).toEqual({ json: '{"a":1}' });
    expect(toRpcTypedData([])).toEqual({ json: '[]' });
    expect(toRpcTypedData(undefined)).toEqual({ json: 'null' });
  });
});
