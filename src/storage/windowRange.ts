import { streamKeyPrefix, streamOrderKey } from '../core/streams/streamKey';
import { StorageInputError } from './StorageInputError';
import type { WindowRangeQuery } from './types';

/** The Windows key prefix of a pipeline's streams: the pipeline part of encodeStreamKey and its '.' separator. */
export const windowKeyPrefix = streamKeyPrefix;

/** PartitionKey bounds (both inclusive) of a range query, after checking its fields; keys are encodeStreamKey(pipeline, stream). */
export function windowRange(query: WindowRangeQuery): { low: string; high: string; prefix: string } {
  for (const field of ['pipeline', 'fromStream', 'toStream'] as const) {
    const value: unknown = query[field];
    if (typeof value !== 'string') {
      throw new StorageInputError(
        field,
        `${field}: expected a string, found ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  if (query.pipeline.length === 0)
    throw new StorageInputError('pipeline', 'pipeline: expected a pipeline name, found ""');
  const prefix = windowKeyPrefix(query.pipeline);
  const low = prefix + streamOrderKey(query.fromStream);
  const high = prefix + streamOrderKey(query.toStream);
  if (low > high) {
    throw new StorageInputError(
      'toStream',
      `toStream: expected a stream at or after fromStream ${JSON.stringify(query.fromStream)} in stream-key order, found ${JSON.stringify(query.toStream)}`,
    );
  }
  return { low, high, prefix };
}
