import type { InvokeRequest } from '../extension';
import type { CheckpointStore } from './checkpointStore';
import { defaultEventHubOptions, type EventHubOptions } from './eventHubOptions';
import { LocalHub } from './localHub';
import { PartitionPump } from './partitionPump';
import { retrySchedule } from './retryPolicy';

/** The function side is a recorder standing in for ctx.invoke; the hub, log and pump are the real ones. */
function setup(options: Partial<EventHubOptions>, behaviour: (req: InvokeRequest) => void = () => undefined) {
  const hub = new LocalHub({ name: 'events', partitionCount: 1 });
  const batches: number[][] = [];
  const errors: string[] = [];
  const makePump = (checkpoints: CheckpointStore = hub.checkpoints): PartitionPump =>
    new PartitionPump({
      hub,
      log: hub.partitions[0]!,
      options: { ...defaultEventHubOptions, ...options },
      checkpointGroup: '$Default',
      checkpoints,
      partitionContext: {
        fullyQualifiedNamespace: 'localhost',
        eventHubName: 'events',
        consumerGroup: '$Default',
        partitionId: '0',
      },
      invoker: {
        shape: { functionName: 'f', cardinality: 'many', dataType: 'string' },
        retry: retrySchedule(undefined),
        logError: (m) => errors.push(m),
        invoke: async (req) => {
          batches.push(JSON.parse(req.triggerMetadata?.sequenceNumberArray?.json ?? '[]') as number[]);
          behaviour(req);
          return { invocationId: 'x', outputData: [] };
        },
      },
    });
  const send = (n: number) => hub.append(Array.from({ length: n }, (_, i) => ({ body: Buffer.from(String(i)) })));
  return { hub, batches, errors, makePump, send };
}

/** A real store whose writes wait for `open()` (a slow disk). */
class GatedCheckpointStore implements CheckpointStore {
  readonly requested: number[] = [];
  private readonly gate: { open: () => void; promise: Promise<void> };
  constructor(private readonly inner: CheckpointStore) {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { open, promise };
  }
  get(group: string, partition: string) {
    return this.inner.get(group, partition);
  }
  async set(group: string, partition: string, checkpoint: Parameters<CheckpointStore['set']>[2]): Promise<void> {
    this.requested.push(checkpoint.sequenceNumber);
    await this.gate.promise;
    await this.inner.set(group, partition, checkpoint);
  }
  open(): void {
    this.gate.open();
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

describe('PartitionPump', () => {
  it('delivers everything in batches no larger than maxEventBatchSize and checkpoints', async () => {
    const { hub, batches, makePump, send } = setup({ maxEventBatchSize: 4 });
    await send(10);
    const pump = makePump();
    pump.start();
    await until(() => pump.position === 10);
    await send(3);
    await until(() => pump.position === 13);
    await pump.stop();
    expect(batches.flat()).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(4);
    expect(hub.checkpoints.get('$Default', '0')?.sequenceNumber).toBe(12);
  });

  it('resumes after the checkpoint', async () => {
    const { batches, makePump, send } = setup({ maxEventBatchSize: 100 });
    await send(5);
    const first = makePump();
    first.start();
    await until(() => first.position === 5);
    await first.stop();
    await send(2);
    const second = makePump();
    second.start();
    await until(() => second.position === 7);
    await second.stop();
    expect(batches).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('checkpoints every batchCheckpointFrequency batches', async () => {
    const { hub, makePump, send } = setup({ maxEventBatchSize: 2, batchCheckpointFrequency: 3 });
    await send(8);
    const pump = makePump();
    pump.start();
    await until(() => pump.position === 8);
    // Batches [0,1] [2,3] [4,5] -> checkpoint at 5; [6,7] is the first of the next three.
    await until(() => hub.checkpoints.get('$Default', '0') !== undefined);
    expect(hub.checkpoints.get('$Default', '0')?.sequenceNumber).toBe(5);
    await pump.stop();
    expect(hub.checkpoints.get('$Default', '0')?.sequenceNumber).toBe(7);
  });

  it('logs a failed batch and moves past it', async () => {
    const { hub, batches, errors, makePump, send } = setup({ maxEventBatchSize: 2 }, (req) => {
      if (req.triggerMetadata?.sequenceNumberArray?.json === '[0,1]') throw new Error('boom');
    });
    await send(4);
    const pump = makePump();
    pump.start();
    await until(() => pump.position === 4);
    await pump.stop();
    expect(batches).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(errors[0]).toMatch(/Function "f" failed on partition 0 .* sequence numbers 0-1 .*boom.*Moving past/);
    expect(hub.checkpoints.get('$Default', '0')?.sequenceNumber).toBe(3);
  });

  it('waits for minEventBatchSize until maxWaitTime passes', async () => {
    const { batches, makePump, send } = setup({ maxEventBatchSize: 10, minEventBatchSize: 3, maxWaitTimeMs: 500 });
    await send(1);
    const pump = makePump();
    pump.start();
    await until(() => pump.position === 1); // first batch, no checkpoint yet: sent at once
    await send(1);
    await send(1);
    await send(1);
    await until(() => pump.position === 4);
    await send(1);
    await until(() => pump.position === 5); // only after maxWaitTime
    await pump.stop();
    expect(batches).toEqual([[0], [1, 2, 3], [4]]);
  });

  // Ingest's effectively-once scheme commits a stream's batch N when it sees N+1 (src/core/state mergePartial): a
  // checkpoint written behind the next batch lets a crash redeliver two batches, which the entity cannot split.
  it("delivers a batch only once the previous batch's checkpoint is written", async () => {
    const { hub, batches, makePump, send } = setup({ maxEventBatchSize: 2 });
    const gated = new GatedCheckpointStore(hub.checkpoints);
    await send(6);
    const pump = makePump(gated);
    pump.start();
    await until(() => gated.requested.length === 1);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[0, 1]]);
    gated.open();
    await until(() => pump.position === 6);
    await pump.stop();
    expect(batches).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(gated.requested).toEqual([1, 3, 5]);
  });
});
