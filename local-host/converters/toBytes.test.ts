import type { RpcTypedData } from '../extension';
import { toBytes } from './toBytes';

describe('toBytes', () => {
  it.each<[string, RpcTypedData, Buffer]>([
    ['bytes', { bytes: new Uint8Array([1, 2]) }, Buffer.from([1, 2])],
    ['stream', { stream: new Uint8Array([3]) }, Buffer.from([3])],
    ['string as UTF-8', { string: 'hé' }, Buffer.from('hé', 'utf8')],
    ['json as its text', { json: '{"a":1}' }, Buffer.from('{"a":1}')],
    ['int as text', { int: 5 }, Buffer.from('5')],
    ['double as text', { double: 1.5 }, Buffer.from('1.5')],
    ['nothing as no bytes', {}, Buffer.alloc(0)],
  ])('%s', (_shape, data, expected) => {
    expect(toBytes(data)).toEqual(expected);
  });
});
