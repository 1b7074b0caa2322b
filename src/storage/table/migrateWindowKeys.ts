import type { TableClient } from '@azure/data-tables';

import { encodeStreamKey, streamKeyProblem } from '../../core/streams/streamKey';
import { decodeKey } from '../encodeKey';
import { statusOf } from './tableErrors';

export interface WindowKeyMigration {
  /** Rows copied to their encodeStreamKey partition (and removed from the legacy one). */
  moved: number;
  /** Legacy rows whose window was already stored under the new key (written since the upgrade): the new row is kept. */
  superseded: number;
  /** Legacy partitions left as they are, with why (a stream name no stream key can have). */
  skipped: { partitionKey: string; reason: string }[];
}

/**
 * Moves Windows rows from the legacy PartitionKey encodeKey(`{pipeline}|{stream}`) to encodeStreamKey(pipeline, stream),
 * where the app reads them since the key codec. Restartable: each row is created under the new key (a row already
 * there wins) before its legacy row is deleted, so a rerun after a crash finishes the job and a second run moves nothing.
 * Legacy keys are the ones holding '|' (pipeline names cannot, and base64url never does).
 */
export async function migrateWindowKeys(
  client: TableClient,
  options: { dryRun?: boolean } = {},
): Promise<WindowKeyMigration> {
  const result: WindowKeyMigration = { moved: 0, superseded: 0, skipped: [] };
  const skipped = new Set<string>();
  for await (const row of client.listEntities<Record<string, unknown>>()) {
    const partitionKey = row.partitionKey ?? '';
    const plain = decodeKey(partitionKey);
    const split = plain.indexOf('|');
    if (split < 0 || skipped.has(partitionKey)) continue;
    const pipeline = plain.slice(0, split);
    const stream = plain.slice(split + 1);
    const problem =
      pipeline.length === 0 ? 'expected a pipeline name before "|", found none' : streamKeyProblem(stream);
    if (problem !== undefined) {
      skipped.add(partitionKey);
      result.skipped.push({ partitionKey, reason: problem });
      continue;
    }
    if (options.dryRun) {
      result.moved++;
      continue;
    }
    const { etag: _etag, timestamp: _timestamp, ...properties } = row;
    try {
      await client.createEntity({
        ...properties,
        partitionKey: encodeStreamKey(pipeline, stream),
        rowKey: row.rowKey ?? '',
      });
      result.moved++;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      result.superseded++;
    }
    await client.deleteEntity(partitionKey, row.rowKey ?? '');
  }
  return result;
}
