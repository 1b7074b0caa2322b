import type { HostUserError } from '../errors';
import { outputToBodies } from './outputToBodies';

const strings = (data: Parameters<typeof outputToBodies>[0]): string[] =>
  outputToBodies(data).map((b) => b.toString('utf8'));

describe('outputToBodies', () => {
  it('sends one event per array element', () => {
    expect(strings({ json: JSON.stringify([{ a: 1 }, 'plain', 3]) })).toEqual(['{"a":1}', 'plain', '3']);
  });
  it('sends one event for a single value', () => {
    expect(strings({ json: '{"a":1}' })).toEqual(['{"a":1}']);
    expect(strings({ string: 'hello' })).toEqual(['hello']);
    expect(strings({ int: 4 })).toEqual(['4']);
    expect(outputToBodies({ bytes: new Uint8Array([1, 2]) })).toEqual([Buffer.from([1, 2])]);
  });
  it('sends nothing for no value', () => {
    expect(outputToBodies(undefined)).toEqual([]);
    expect(outputToBodies({ json: 'null' })).toEqual([]);
  });
  it('names what it got when it cannot send it', () => {
    expect(() => outputToBodies({ http: {} })).toThrow(/cannot send \(http\)/);
    expect(() => outputToBodies({ http: {} })).toThrow(expect.objectContaining({ kind: 'app' }) as HostUserError);
  });
});
