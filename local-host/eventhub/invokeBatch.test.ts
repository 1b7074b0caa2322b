import type { InvokeRequest } from '../extension';
import { type BatchInvoker, BatchStoppedError, invokeBatch } from './invokeBatch';
import { retrySchedule } from './retryPolicy';
import type { HubEvent } from './types';

const events: HubEvent[] = [
  {
    body: Buffer.from('{"v":1}'),
    sequenceNumber: 4,
    offset: '400',
    enqueuedTime: new Date('2026-01-01T00:00:00Z'),
    partitionKey: null,
    properties: {},
  },
  {
    body: Buffer.alloc(0),
    sequenceNumber: 5,
    offset: '500',
    enqueuedTime: new Date('2026-01-01T00:00:00Z'),
    partitionKey: null,
    properties: {},
  },
];
const partition = {
  fullyQualifiedNamespace: 'localhost',
  eventHubName: 'events',
  consumerGroup: '$Default',
  partitionId: '0',
};

function invoker(
  failures: number,
  retry: BatchInvoker['retry'],
): BatchInvoker & { requests: InvokeRequest[]; errors: string[] } {
  const requests: InvokeRequest[] = [];
  const errors: string[] = [];
  return {
    requests,
    errors,
    shape: { functionName: 'ingest', cardinality: 'many', dataType: 'binary' },
    retry,
    logError: (m) => void errors.push(m),
    invoke: async (request) => {
      requests.push(request);
      if (requests.length <= failures) throw new Error(`storage down (attempt ${requests.length})`);
      return { invocationId: 'x', outputData: [] };
    },
  };
}

describe('invokeBatch', () => {
  it('retries the same batch (empty body included) per an unlimited exponential retry until it succeeds', async () => {
    const i = invoker(
      3,
      retrySchedule({ strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: 1, maximumInterval: 4 }),
    );
    await expect(invokeBatch(i, events, partition)).resolves.toBe(true);
    expect(i.requests).toHaveLength(4);
    for (const r of i.requests)
      expect(r.triggerData.collectionBytes?.bytes.map((b) => Buffer.from(b).toString())).toEqual(['{"v":1}', '']);
    expect(i.errors.map((e) => /Retry (\d) in (\d) ms/.exec(e)?.slice(1))).toEqual([
      ['1', '1'],
      ['2', '2'],
      ['3', '4'],
    ]);
  });

  it('gives every attempt a retryContext as the Functions host does: retryCount 0, 1, 2..., maxRetryCount, the last exception', async () => {
    const i = {
      ...invoker(2, retrySchedule({ strategy: 'fixedDelay', maxRetryCount: -1, delayInterval: 1 })),
      maxRetryCount: -1,
    };
    await expect(invokeBatch(i, events, partition)).resolves.toBe(true);
    expect(
      i.requests.map((r) => [
        r.retryContext?.retryCount,
        r.retryContext?.maxRetryCount,
        r.retryContext?.exception?.message,
      ]),
    ).toEqual([
      [0, -1, undefined],
      [1, -1, 'storage down (attempt 1)'],
      [2, -1, 'storage down (attempt 2)'],
    ]);
    const none = invoker(0, retrySchedule(undefined));
    await invokeBatch(none, events, partition);
    expect(none.requests[0]?.retryContext).toBeUndefined();
  });

  it('gives up (false) once a limited retry is spent', async () => {
    const i = invoker(10, retrySchedule({ strategy: 'fixedDelay', maxRetryCount: 1, delayInterval: 1 }));
    await expect(invokeBatch(i, events, partition)).resolves.toBe(false);
    expect(i.requests).toHaveLength(2);
    expect(i.errors.at(-1)).toMatch(/Moving past the batch/);
  });

  it('rejects with BatchStoppedError when the host stops while retries remain, so the batch is not checkpointed', async () => {
    const abort = new AbortController();
    const i = invoker(Number.POSITIVE_INFINITY, () => 60_000);
    const run = invokeBatch(i, events, partition, abort.signal);
    await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(run).rejects.toBeInstanceOf(BatchStoppedError);
    expect(i.requests).toHaveLength(1);
  });
});
