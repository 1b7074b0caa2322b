import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

import { MAX_TRANSACTION_BYTES, submitInBatches } from './submitInBatches';

/** Records the transactions instead of sending them: the split is what is under test. */
function recorder(): { client: TableClient; transactions: TransactionAction[][] } {
  const transactions: TransactionAction[][] = [];
  const client = {
    submitTransaction: async (actions: TransactionAction[]) => void transactions.push(actions),
  } as unknown as TableClient;
  return { client, transactions };
}

const utf8Bytes = (actions: TransactionAction[]) =>
  actions.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a[1]), 'utf8'), 0);

describe('submitInBatches', () => {
  it('splits by UTF-8 bytes: multi-byte text under the old UTF-16 character estimate but over the byte limit is split', async () => {
    // 7 entities of 200,000 three-byte characters: 1.4 M UTF-16 units (one transaction by the old 1.5 M estimate), but
    // 4.2 MB of UTF-8, over the service's 4 MiB.
    const text = '€'.repeat(200_000);
    const entities: TableEntity[] = Array.from({ length: 7 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace');
    expect(transactions.map((t) => t.length)).toEqual([5, 2]);
    for (const t of transactions) expect(utf8Bytes(t)).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    expect(transactions.flat().map((a) => (a[1] as TableEntity).rowKey)).toEqual(entities.map((e) => e.rowKey));
  });

  it('keeps ASCII entities of the same character count in one transaction', async () => {
    const text = 'e'.repeat(200_000);
    const entities: TableEntity[] = Array.from({ length: 8 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace');
    expect(transactions.map((t) => t.length)).toEqual([8]);
  });

  it('counts JSON escapes as sent (a control character is six bytes)', async () => {
    const text = '\u0001'.repeat(200_000);
    const entities: TableEntity[] = Array.from({ length: 4 }, (_, i) => ({ partitionKey: 'p', rowKey: `r${i}`, text }));
    const { client, transactions } = recorder();
    await submitInBatches(client, entities, 'Merge');
    expect(transactions.map((t) => t.length)).toEqual([2, 2]);
  });

  it('groups by partition, keeps the last of repeated row keys and at most 100 operations per transaction', async () => {
    const entities: TableEntity[] = [
      ...Array.from({ length: 150 }, (_, i) => ({ partitionKey: 'a', rowKey: `r${i}`, v: i })),
      { partitionKey: 'b', rowKey: 'x', v: 1 },
      { partitionKey: 'b', rowKey: 'x', v: 2 },
    ];
    const { client, transactions } = recorder();
    await submitInBatches(client, entities, 'Replace');
    expect(transactions.map((t) => t.length)).toEqual([100, 50, 1]);
    expect(transactions[2]?.[0]?.[1]).toMatchObject({ partitionKey: 'b', v: 2 });
  });
});
