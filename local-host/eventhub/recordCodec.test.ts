import fc from 'fast-check';

import { decodeRecord, encodeRecord } from './recordCodec';

describe('record codec', () => {
  it('round-trips any body, key and properties', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.option(fc.string()),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        fc.nat(),
        (body, key, properties, seq) => {
          const line = encodeRecord({
            body: Buffer.from(body),
            sequenceNumber: seq,
            enqueuedTime: new Date(1_700_000_000_123),
            partitionKey: key,
            properties,
          });
          expect(line.endsWith('\n')).toBe(true);
          expect(line.slice(0, -1).includes('\n')).toBe(false);
          const back = decodeRecord(line.slice(0, -1), 42);
          expect(back).toEqual({
            body: Buffer.from(body),
            sequenceNumber: seq,
            offset: '42',
            enqueuedTime: new Date(1_700_000_000_123),
            partitionKey: key,
            properties,
          });
        },
      ),
    );
  });

  it('stores UTF-8 bodies as text', () => {
    const line = encodeRecord({
      body: Buffer.from('{"v":1}'),
      sequenceNumber: 0,
      enqueuedTime: new Date(0),
      partitionKey: null,
      properties: {},
    });
    expect(line).toBe('{"q":0,"t":0,"k":null,"b":"{\\"v\\":1}"}\n');
  });

  it('rejects torn or foreign lines', () => {
    const line = encodeRecord({
      body: Buffer.from('hello'),
      sequenceNumber: 3,
      enqueuedTime: new Date(0),
      partitionKey: null,
      properties: {},
    });
    for (let cut = 0; cut < line.length - 1; cut++) expect(decodeRecord(line.slice(0, cut), 0)).toBeUndefined();
    expect(decodeRecord('{"q":1}', 0)).toBeUndefined();
    expect(decodeRecord('\u0000\u0000', 0)).toBeUndefined();
  });
});
