import type { RpcTypedData } from '../extension';
import { toRpcTypedData } from './toRpcTypedData';

describe('toRpcTypedData', () => {
  it.each<[string, unknown, RpcTypedData]>([
    ['string', 's', { string: 's' }],
    ['Buffer', Buffer.from([1]), { bytes: new Uint8Array([1]) }],
    ['integer', 3, { int: 3 }],
    ['fraction', 1.5, { double: 1.5 }],
    ['array of strings', ['a', 'b'], { collectionString: { string: ['a', 'b'] } }],
    ['array of bytes', [new Uint8Array([1])], { collectionBytes: { bytes: [new Uint8Array([1])] } }],
    ['array of integers', [1, 2], { collectionSint64: { sint64: [1, 2] } }],
    ['array of numbers', [1.5, 2], { collectionDouble: { double: [1.5, 2] } }],
    ['object', { a: 1 }, { json: '{"a":1}' }],
    ['empty array', [], { json: '[]' }],
    ['undefined', undefined, { json: 'null' }],
  ])('%s', (_shape, value, expected) => {
    expect(toRpcTypedData(value)).toEqual(expected);
  });
});
