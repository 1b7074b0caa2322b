import {
  createAzureProducer,
  type EventBatchLike,
  type ProducerClientLike,
  type RealConnection,
} from './azureEventHubs';

/** Stands in for the Event Hubs service's batch limit: a batch takes events while their bodies fit in maxSizeInBytes. */
class SizedBatch implements EventBatchLike {
  readonly bodies: string[] = [];
  private size = 0;
  constructor(readonly maxSizeInBytes: number) {}
  get count(): number {
    return this.bodies.length;
  }
  tryAdd(event: { body: Buffer }): boolean {
    if (this.size + event.body.length > this.maxSizeInBytes) return false;
    this.bodies.push(event.body.toString());
    this.size += event.body.length;
    return true;
  }
}

function sizedHub(maxSizeInBytes: number): { client: ProducerClientLike; sent: string[][]; closed: () => boolean } {
  const sent: string[][] = [];
  let closed = false;
  const client: ProducerClientLike = {
    createBatch: async () => new SizedBatch(maxSizeInBytes),
    sendBatch: async (batch) => void sent.push([...(batch as SizedBatch).bodies]),
    close: async () => void (closed = true),
  };
  return { client, sent, closed: () => closed };
}

const connection: RealConnection = {
  kind: 'connectionString',
  connectionString: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=x',
  emulator: false,
};
const bodies = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));

describe('createAzureProducer', () => {
  it('splits events across as few batches as the size limit allows, in order', async () => {
    const hub = sizedHub(10);
    await createAzureProducer(connection, 'out', hub.client).send(bodies('aaaa', 'bbbb', 'cccc', 'dd', 'eeeeeeeeee'));
    expect(hub.sent).toEqual([['aaaa', 'bbbb'], ['cccc', 'dd'], ['eeeeeeeeee']]);
  });

  it('sends nothing for no events', async () => {
    const hub = sizedHub(10);
    await createAzureProducer(connection, 'out', hub.client).send([]);
    expect(hub.sent).toEqual([]);
  });

  it('fails clearly on an event larger than a batch, first or after others (those before it are sent)', async () => {
    const first = sizedHub(10);
    await expect(createAzureProducer(connection, 'out', first.client).send(bodies('x'.repeat(11)))).rejects.toThrow(
      'An event of 11 bytes is larger than the Event Hub allows (10 bytes per batch).',
    );
    expect(first.sent).toEqual([]);
    const later = sizedHub(10);
    await expect(
      createAzureProducer(connection, 'out', later.client).send(bodies('aaaa', 'y'.repeat(12))),
    ).rejects.toThrow('An event of 12 bytes is larger than the Event Hub allows (10 bytes per batch).');
    expect(later.sent).toEqual([['aaaa']]);
  });

  it('close closes the client', async () => {
    const hub = sizedHub(10);
    await createAzureProducer(connection, 'out', hub.client).close();
    expect(hub.closed()).toBe(true);
  });
});
