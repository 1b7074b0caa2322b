import { defaultEventHubOptions, eventHubOptionsFromHostJson } from './eventHubOptions';

describe('eventHubOptionsFromHostJson', () => {
  it('uses the extension defaults when the section is absent', () => {
    expect(eventHubOptionsFromHostJson({})).toEqual(defaultEventHubOptions);
    expect(defaultEventHubOptions.maxEventBatchSize).toBe(100);
  });

  it('reads every setting, case-insensitively', () => {
    const options = eventHubOptionsFromHostJson({
      extensions: {
        EventHubs: {
          MaxEventBatchSize: 7,
          minEventBatchSize: 3,
          maxWaitTime: '00:00:02',
          batchCheckpointFrequency: 2,
          initialOffsetOptions: { type: 'FromEnqueuedTime', enqueuedTimeUtc: '2024-05-01T10:00:00' },
        },
      },
    });
    expect(options).toEqual({
      maxEventBatchSize: 7,
      minEventBatchSize: 3,
      maxWaitTimeMs: 2000,
      batchCheckpointFrequency: 2,
      initialOffset: { type: 'fromEnqueuedTime', enqueuedTimeUtc: new Date('2024-05-01T10:00:00Z') },
    });
  });

  it('reads fromEnd', () => {
    expect(
      eventHubOptionsFromHostJson({ extensions: { eventHubs: { initialOffsetOptions: { type: 'fromEnd' } } } })
        .initialOffset,
    ).toEqual({ type: 'fromEnd' });
  });

  it.each([
    [{ maxEventBatchSize: 0 }, /maxEventBatchSize must be a positive integer; found 0/],
    [{ maxEventBatchSize: 'lots' }, /maxEventBatchSize/],
    [
      { minEventBatchSize: 10, maxEventBatchSize: 5 },
      /minEventBatchSize \(10\) must not exceed maxEventBatchSize \(5\)/,
    ],
    [{ maxWaitTime: 5 }, /maxWaitTime must be a TimeSpan/],
    [{ initialOffsetOptions: { type: 'fromMiddle' } }, /fromStart, fromEnd or fromEnqueuedTime; found "fromMiddle"/],
    [{ initialOffsetOptions: { type: 'fromEnqueuedTime' } }, /enqueuedTimeUtc must be a UTC date-time/],
  ])('rejects %j', (section, message) => {
    expect(() => eventHubOptionsFromHostJson({ extensions: { eventHubs: section } })).toThrow(message);
  });
});
