import { createServer, type Server } from 'node:net';

import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';

import { startAzurite } from '../../local-host/azurite/startAzurite';

describe('startAzurite', () => {
  it('starts blob, queue and table on free ports and stops', async () => {
    const azurite = await startAzurite({ inMemory: true, ports: 0 });
    try {
      expect(azurite.blobUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
      const container = blobs.getContainerClient('probe');
      await container.create();
      await container.getBlockBlobClient('hello.txt').upload('hi', 2);
      const text = (await container.getBlockBlobClient('hello.txt').downloadToBuffer()).toString();
      expect(text).toBe('hi');
      const table = TableClient.fromConnectionString(azurite.connectionString, 'probe', {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 7 });
      expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(7);
      // The queue service answers (unsigned requests are refused with an Azure Storage error, not a dead socket).
      const queue = await fetch(`${azurite.queueUrl}?comp=list`);
      expect(queue.headers.get('x-ms-request-id')).toBeTruthy();
    } finally {
      await azurite.stop();
    }
    await expect(fetch(azurite.blobUrl)).rejects.toThrow();
  });

  it('names a busy port and what to do', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startAzurite({ inMemory: true, ports: { blob: port, queue: 0, table: 0 } })).rejects.toThrow(
        new RegExp(`Port ${port} \\(Azurite blob\\) is already in use.*--no-azurite`),
      );
    } finally {
      blocker.close();
    }
  });
});
