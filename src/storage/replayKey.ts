import { encodeKey } from './encodeKey';
import { StorageInputError } from './StorageInputError';
import type { ReplayKey } from './types';

/** Row identity of a replay-ledger entry: PartitionKey = encoded partition, RowKey = padded sequence number | encoded pipeline. */
export function replayRowKeys(key: ReplayKey): { partitionKey: string; rowKey: string } {
  if (typeof key.partition !== 'string' || key.partition === '')
    throw new StorageInputError(
      'partition',
      `partition: expected a non-empty string, found ${JSON.stringify(key.partition)}`,
    );
  if (!Number.isInteger(key.sequenceNumber) || key.sequenceNumber < 0)
    throw new StorageInputError(
      'sequenceNumber',
      `sequenceNumber: expected a non-negative integer, found ${JSON.stringify(key.sequenceNumber)}`,
    );
  if (typeof key.pipeline !== 'string' || key.pipeline === '')
    throw new StorageInputError(
      'pipeline',
      `pipeline: expected a pipeline name or "*", found ${JSON.stringify(key.pipeline)}`,
    );
  return {
    partitionKey: encodeKey(key.partition),
    rowKey: `${String(key.sequenceNumber).padStart(20, '0')}|${encodeKey(key.pipeline)}`,
  };
}
