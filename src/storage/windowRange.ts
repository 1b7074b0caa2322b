import { encodeKey } from './encodeKey';
import { StorageInputError } from './StorageInputError';
import type { WindowRangeQuery } from './types';

/** Encoded PartitionKey bounds (both inclusive) of a range query, after checking its fields. */
export function windowRange(query: WindowRangeQuery): { low: string; high: string; prefix: string } {
  for (const field of ['pipeline', 'fromStream', 'toStream'] as const) {
    const value: unknown = query[field];
    if (typeof value !== 'string') {
      throw new StorageInputError(field, `${field}: expected a string, found ${value === null ? 'null' : typeof value}`);
    }
  }
  if (query.pipeline.length === 0) throw new StorageInputError('pipeline', 'pipeline: expected a pipeline name, found ""');
  const prefix = `${query.pipeline}|`;
  const low = encodeKey(prefix + query.fromStream);
  const high = encodeKey(prefix + query.toStream);
  if (low > high) {
    throw new StorageInputError(
      'toStream',
      `toStream: expected a stream at or after fromStream ${JSON.stringify(query.fromStream)} in stream-key order, found ${JSON.stringify(query.toStream)}`,
    );
  }
  return { low, high, prefix };
}
