import { fromReceivedEvent } from './fromReceivedEvent';
import { toTriggerInput } from './toTriggerInput';

const base = {
  sequenceNumber: 7,
  offset: '1234',
  enqueuedTimeUtc: new Date('2024-05-01T10:00:00Z'),
  partitionKey: 'k',
};

describe('fromReceivedEvent', () => {
  it('keeps raw bytes and the metadata', () => {
    expect(fromReceivedEvent({ ...base, body: Buffer.from('{"a":1}'), properties: { P: 1 } })).toEqual({
      body: Buffer.from('{"a":1}'),
      sequenceNumber: 7,
      offset: '1234',
      enqueuedTime: base.enqueuedTimeUtc,
      partitionKey: 'k',
      properties: { P: 1 },
    });
  });

  it('turns parsed or string bodies into bytes', () => {
    expect(fromReceivedEvent({ ...base, body: { a: 1 } }).body.toString()).toBe('{"a":1}');
    expect(fromReceivedEvent({ ...base, body: 'text' }).body.toString()).toBe('text');
    expect(fromReceivedEvent({ ...base, body: undefined, partitionKey: null }).partitionKey).toBeNull();
  });

  it('feeds the same trigger conversion as the local hub', () => {
    const input = toTriggerInput(
      [fromReceivedEvent({ ...base, body: Buffer.from('{"a":1}') })],
      { functionName: 'f', cardinality: 'many' },
      null,
    );
    expect(JSON.parse(input.triggerData.json ?? '')).toEqual([{ a: 1 }]);
    expect(JSON.parse(input.triggerMetadata.offsetArray?.json ?? '')).toEqual(['1234']);
  });
});
