import fc from 'fast-check';

import type { HostUserError } from '../errors';
import { arrayElementTexts, parseProducerBody } from './parseProducerBody';

const plain = { envelope: false };

describe('parseProducerBody', () => {
  it('reads a JSON array, one event per element', () => {
    const events = parseProducerBody('[{"a":1},"x",2]', 'application/json', plain);
    expect(events.map((e) => e.body.toString())).toEqual(['{"a":1}', 'x', '2']);
    expect(events[0]?.partitionKey).toBeNull();
  });

  it('keeps each body as sent, never re-serialized: 1e309, spacing, key order, escapes', () => {
    const text = '[ {"value": 1e309, "b":1, "a":2} ,\n "x", {"s":"a,]}\\"[{"} , [1,[2]], -0.0 ]';
    expect(parseProducerBody(text, 'application/json', plain).map((e) => e.body.toString())).toEqual([
      '{"value": 1e309, "b":1, "a":2}',
      'x',
      '{"s":"a,]}\\"[{"}',
      '[1,[2]]',
      '-0.0',
    ]);
    expect(
      parseProducerBody('{"value": 1e309}\n  {"n": 1.50}  \n', 'application/x-ndjson', plain).map((e) =>
        e.body.toString(),
      ),
    ).toEqual(['{"value": 1e309}', '{"n": 1.50}']);
    expect(parseProducerBody(' {"value": 1e309} ', 'application/json', plain).map((e) => e.body.toString())).toEqual([
      '{"value": 1e309}',
    ]);
  });

  it('splits any JSON array into exactly its elements (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.constantFrom(undefined, 1, '\t'), (values, space) => {
        const texts = arrayElementTexts(JSON.stringify(values, null, space));
        expect(texts.map((t) => JSON.parse(t) as unknown)).toEqual(JSON.parse(JSON.stringify(values)));
      }),
    );
  });

  it('reads NDJSON, skipping blank lines, applying query defaults', () => {
    const events = parseProducerBody('{"a":1}\n\n{"a":2}\r\n', 'application/x-ndjson', {
      envelope: false,
      partitionKey: 'k',
      partitionId: '1',
    });
    expect(events).toEqual([
      { body: Buffer.from('{"a":1}'), partitionKey: 'k', partitionId: '1' },
      { body: Buffer.from('{"a":2}'), partitionKey: 'k', partitionId: '1' },
    ]);
  });

  it('reads envelopes with per-event keys and properties', () => {
    const events = parseProducerBody(
      '[{"body":{"v":1},"partitionKey":"s-1","properties":{"p":"q"}},{"body":"raw"}]',
      'application/json',
      { envelope: true, partitionKey: 'dflt' },
    );
    expect(events).toEqual([
      { body: Buffer.from('{"v":1}'), partitionKey: 's-1', partitionId: undefined, properties: { p: 'q' } },
      { body: Buffer.from('raw'), partitionKey: 'dflt', partitionId: undefined, properties: {} },
    ]);
  });

  it.each([
    ['not json', 'application/json', plain, /body is not JSON/],
    ['{"a":1}\nnope', 'application/x-ndjson', plain, /NDJSON line 2 is not JSON/],
    ['[1]', 'application/json', { envelope: true }, /Event 0: with envelope=true/],
    ['[{"body":1,"partitionKey":5}]', 'application/json', { envelope: true }, /partitionKey must be a string; found 5/],
  ])('rejects %j clearly', (text, type, defaults, message) => {
    expect(() => parseProducerBody(text, type, defaults)).toThrow(message);
    expect(() => parseProducerBody(text, type, defaults)).toThrow(
      expect.objectContaining({ kind: 'request', status: 400 }) as HostUserError,
    );
  });
});
