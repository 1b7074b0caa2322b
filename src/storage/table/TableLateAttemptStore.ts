import type { TableClient } from '@azure/data-tables';

import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import { decodeLetters, encodeLetters, lateAttemptRow } from '../lateAttemptRow';
import type { LateAttempt, LateAttemptStore } from '../types';
import { statusOf } from './tableErrors';

/** The one row of each partition's record. */
const ROW_KEY = 'late';

/**
 * Late-attempt records: PartitionKey = encoded Event Hubs partition (one table partition per Event Hubs partition, each
 * written by the one instance reading it), RowKey "late"; the letters as compact JSON in chunked columns.
 */
export class TableLateAttemptStore implements LateAttemptStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async get(partition: string): Promise<LateAttempt | undefined> {
    const client = await this.client();
    try {
      const e = await client.getEntity<Record<string, unknown>>(encodeKey(partition), ROW_KEY);
      return {
        partition,
        firstSequence: Number(e['firstSequence']),
        lastSequence: Number(e['lastSequence']),
        letters: decodeLetters(partition, joinText('letters', e)),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put(attempt: LateAttempt): Promise<void> {
    const a = lateAttemptRow(attempt);
    const client = await this.client();
    await client.upsertEntity(
      {
        partitionKey: encodeKey(a.partition),
        rowKey: ROW_KEY,
        firstSequence: a.firstSequence,
        lastSequence: a.lastSequence,
        ...splitText('letters', encodeLetters(a.letters)),
      },
      'Replace',
    );
  }
}
