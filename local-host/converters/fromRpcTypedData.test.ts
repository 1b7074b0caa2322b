import type { RpcTypedData } from '../extension';
import { fromRpcTypedData } from './fromRpcTypedData';

describe('fromRpcTypedData', () => {
  it.each<[string, RpcTypedData | undefined, unknown]>([
    ['no data', undefined, undefined],
    ['no case set', {}, undefined],
    ['string (kept as text)', { string: '{"a":1}' }, '{"a":1}'],
    ['json', { json: '{"a":1}' }, { a: 1 }],
    ['bytes', { bytes: new Uint8Array([1]) }, Buffer.from([1])],
    ['stream', { stream: new Uint8Array([2]) }, Buffer.from([2])],
    ['http', { http: { method: 'GET' } }, { method: 'GET' }],
    ['int', { int: 4 }, 4],
    ['double', { double: 0.5 }, 0.5],
    ['collectionBytes', { collectionBytes: { bytes: [new Uint8Array([1])] } }, [Buffer.from([1])]],
    ['collectionString', { collectionString: { string: ['x'] } }, ['x']],
    ['collectionDouble', { collectionDouble: { double: [1.5] } }, [1.5]],
    ['collectionSint64', { collectionSint64: { sint64: [7] } }, [7]],
  ])('%s', (_shape, data, expected) => {
    expect(fromRpcTypedData(data)).toEqual(expected);
  });
});
