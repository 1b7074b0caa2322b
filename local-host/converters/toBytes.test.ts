import { toBytes } from './toBytes';

describe('toBytes', () => {
  it('converts each body case', () => {
    expect(toBytes({ bytes: new Uint8Array([1, 2]) })).toEqual(Buffer.from([1, 2]));
    expect(toBytes({ stream: new Uint8Array([3]) })).toEqual(Buffer.from([3]));
    expect(toBytes({ string: 'hé' }).toString('utf8')).toBe('hé');
    expect(toBytes({ json: '{"a":1}' }).toString()).toBe('{"a":1}');
    expect(toBytes({ int: 5 }).toString()).toBe('5');
    expect(toBytes({ double: 1.5 }).toString()).toBe('1.5');
    expect(toBytes({}).length).toBe(0);
  });
});
