import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';

import { MAX_TRANSACTION_BYTES, submitInBatches } from './submitInBatches';
import type { PlainEntity } from './upsertTransaction';

interface Sent {
  rowKeys: string[];
  /** Each operation's entity JSON, as sent. */
  bodies: string[];
}

/** A client whose transactions are recorded (one per request) and answered as successful: the split is under test. */
function recorder(): { client: TableClient; httpClient: HttpClient; transactions: Sent[] } {
  const transactions: Sent[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request) => {
      const body = String(request.body);
      transactions.push({
        rowKeys: [...body.matchAll(/,RowKey='([^']*)'\) HTTP\/1\.1/g)].map((m) => decodeURIComponent(m[1] as string)),
        bodies: [...body.matchAll(/\r\n\r\n\r\n(\{.*\})\r\n--changeset_/g)].map((m) => m[1] as string),
      });
      return { request, status: 202, headers: createHttpHeaders(), bodyAsText: '' };
    },
  };
  const client = new TableClient(
    'http://127.0.0.1:10002/devstoreaccount1',
    'T',
    new AzureNamedKeyCredential('devstoreaccount1', Buffer.from('key').toString('base64')),
    { httpClient, allowInsecureConnection: true },
  );
  return { client, httpClient, transactions };
}

const utf8Bytes = (t: Sent) => t.bodies.reduce((n, b) => n + Buffer.byteLength(b, 'utf8'), 0);

describe('submitInBatches', () => {
  it('splits by UTF-8 bytes: multi-byte text under the old UTF-16 character estimate but over the byte limit is split', async () => {
    // 7 entities of 200,000 three-byte characters: 1.4 M UTF-16 units (one transaction by the old 1.5 M estimate), but
    // 4.2 MB of UTF-8, over the service's 4 MiB.
    const text = '€'.repeat(200_000);
    const entities: PlainEntity[] = Array.from({ length: 7 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, httpClient, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace', httpClient);
    expect(transactions.map((t) => t.rowKeys.length)).toEqual([5, 2]);
    for (const t of transactions) expect(utf8Bytes(t)).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    expect(transactions.flatMap((t) => t.rowKeys)).toEqual(entities.map((e) => e.rowKey));
  });

  it('keeps ASCII entities of the same character count in one transaction', async () => {
    const text = 'e'.repeat(200_000);
    const entities: PlainEntity[] = Array.from({ length: 8 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, httpClient, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace', httpClient);
    expect(transactions.map((t) => t.rowKeys.length)).toEqual([8]);
  });

  it('counts JSON escapes as sent (a control character is six bytes)', async () => {
    const text = '\u0001'.repeat(200_000);
    const entities: PlainEntity[] = Array.from({ length: 4 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, httpClient, transactions } = recorder();
    await submitInBatches(client, entities, 'Merge', httpClient);
    expect(transactions.map((t) => t.rowKeys.length)).toEqual([2, 2]);
  });

  it('groups by partition, keeps the last of repeated row keys and at most 100 operations per transaction', async () => {
    const entities: PlainEntity[] = [
      ...Array.from({ length: 150 }, (_, i) => ({ partitionKey: 'a', rowKey: `r${i}`, v: i })),
      { partitionKey: 'b', rowKey: 'x', v: 1 },
      { partitionKey: 'b', rowKey: 'x', v: 2 },
    ];
    const { client, httpClient, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace', httpClient);
    expect(transactions.map((t) => t.rowKeys.length)).toEqual([100, 50, 1]);
    expect(transactions[2]?.bodies.map((b) => JSON.parse(b) as unknown)).toEqual([
      { PartitionKey: 'b', RowKey: 'x', v: 2 },
    ]);
  });
});
