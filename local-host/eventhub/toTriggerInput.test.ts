import type { RpcTypedData } from '../extension';
import { toTriggerInput } from './toTriggerInput';
import type { HubEvent } from './types';

const at = new Date('2024-05-01T10:00:00.120Z');
const event = (
  body: string,
  seq: number,
  key: string | null = null,
  properties: Record<string, unknown> = {},
): HubEvent => ({
  body: Buffer.from(body),
  sequenceNumber: seq,
  offset: String(seq * 100),
  enqueuedTime: at,
  partitionKey: key,
  properties,
});
const partition = {
  fullyQualifiedNamespace: 'localhost',
  eventHubName: 'events',
  consumerGroup: '$Default',
  partitionId: '2',
};
const parsed = (data: RpcTypedData | undefined): unknown => JSON.parse(data?.json ?? 'null');

describe('toTriggerInput, cardinality many', () => {
  const events = [event('{"v":1}', 5, 'k1', { Source: 'a' }), event('2', 6), event('', 7)];

  it('sends parsed bodies as a json array when dataType is unset', () => {
    const input = toTriggerInput(events.slice(0, 2), { functionName: 'f', cardinality: 'many' }, partition);
    expect(parsed(input.triggerData)).toEqual([{ v: 1 }, 2]);
  });

  it('fails naming the event when a body is not JSON and dataType is unset', () => {
    expect(() => toTriggerInput([event('not json', 9)], { functionName: 'f', cardinality: 'many' }, partition)).toThrow(
      /Event 9 .*dataType: 'string'/,
    );
  });

  it('sends collectionString for dataType string, dropping empty bodies', () => {
    const input = toTriggerInput(events, { functionName: 'f', cardinality: 'many', dataType: 'string' }, partition);
    expect(input.triggerData).toEqual({ collectionString: { string: ['{"v":1}', '2'] } });
  });

  it('sends collectionBytes for dataType binary, keeping empty bodies so the metadata arrays line up', () => {
    const input = toTriggerInput(events, { functionName: 'f', cardinality: 'many', dataType: 'binary' }, partition);
    expect(input.triggerData.collectionBytes?.bytes.map((b) => Buffer.from(b).toString())).toEqual([
      '{"v":1}',
      '2',
      '',
    ]);
    expect(parsed(input.triggerMetadata.sequenceNumberArray)).toEqual([5, 6, 7]);
  });

  it('sends collectionBytes for dataType binary', () => {
    const input = toTriggerInput(
      events.slice(0, 1),
      { functionName: 'f', cardinality: 'many', dataType: 'binary' },
      partition,
    );
    expect(Buffer.from(input.triggerData.collectionBytes?.bytes[0] ?? []).toString()).toBe('{"v":1}');
  });

  it('builds the array metadata', () => {
    const m = toTriggerInput(
      events,
      { functionName: 'f', cardinality: 'many', dataType: 'string' },
      partition,
    ).triggerMetadata;
    expect(parsed(m.partitionContext)).toEqual(partition);
    expect(parsed(m.enqueuedTimeUtcArray)).toEqual([
      '2024-05-01T10:00:00.12',
      '2024-05-01T10:00:00.12',
      '2024-05-01T10:00:00.12',
    ]);
    expect(parsed(m.sequenceNumberArray)).toEqual([5, 6, 7]);
    expect(parsed(m.offsetArray)).toEqual(['500', '600', '700']);
    expect(parsed(m.partitionKeyArray)).toEqual(['k1']);
    expect(parsed(m.propertiesArray)).toEqual([{ source: 'a' }, {}, {}]);
    expect((parsed(m.systemPropertiesArray) as unknown[])[0]).toEqual({
      'x-opt-sequence-number': 5,
      'x-opt-offset': '500',
      'x-opt-enqueued-time': '2024-05-01T10:00:00.12+00:00',
      'x-opt-partition-key': 'k1',
      sequenceNumber: 5,
      offset: 500,
      partitionKey: 'k1',
      enqueuedTimeUtc: '2024-05-01T10:00:00.12',
    });
    expect(parsed(m.sys)).toMatchObject({ methodName: 'f' });
  });
});

describe('toTriggerInput, cardinality one', () => {
  it('sends the body as a string with single-event metadata', () => {
    const input = toTriggerInput([event('{"v":1}', 3, 'k')], { functionName: 'f', cardinality: 'one' }, partition);
    expect(input.triggerData).toEqual({ string: '{"v":1}' });
    expect(input.triggerMetadata.partitionKey).toEqual({ string: 'k' });
    expect(parsed(input.triggerMetadata.sequenceNumber)).toBe(3);
    expect(input.triggerMetadata.enqueuedTimeUtc).toEqual({ string: '2024-05-01T10:00:00.12' });
    expect(parsed(input.triggerMetadata.systemProperties)).toMatchObject({ sequenceNumber: 3, offset: 300 });
  });

  it('rejects more than one event', () => {
    expect(() =>
      toTriggerInput([event('a', 1), event('b', 2)], { functionName: 'f', cardinality: 'one' }, partition),
    ).toThrow(/exactly one event; got 2/);
  });
});
