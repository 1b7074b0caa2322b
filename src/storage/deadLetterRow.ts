import { deadLetterRowKey } from './keys';
import { normalizeIso } from './normalizeIso';
import { StorageInputError } from './StorageInputError';
import type { DeadLetterRecord } from './types';

/** Raw bodies beyond this many characters are cut (and flagged `rawTruncated`), to stay inside one entity. */
export const DEAD_LETTER_RAW_LIMIT = 400_000;
export const DEAD_LETTER_DETAIL_LIMIT = 8_000;

/** Validated, normalized record plus its row identity; shared by both implementations so they agree exactly. */
export function deadLetterRow(record: DeadLetterRecord): { rowKey: string; record: DeadLetterRecord } {
  for (const field of ['raw', 'reason', 'detail', 'partition'] as const) {
    if (typeof record[field] !== 'string')
      throw new StorageInputError(field, `${field}: expected a string, found ${typeof record[field]}`);
  }
  for (const field of ['pipeline', 'stream'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'string') {
      throw new StorageInputError(field, `${field}: expected a string or nothing, found ${typeof record[field]}`);
    }
  }
  if (
    record.pipelineVersion !== undefined &&
    !(Number.isInteger(record.pipelineVersion) && record.pipelineVersion >= 1)
  ) {
    throw new StorageInputError(
      'pipelineVersion',
      `pipelineVersion: expected a positive integer or nothing, found ${JSON.stringify(record.pipelineVersion)}`,
    );
  }
  const rowKey = deadLetterRowKey(
    record.partition,
    record.sequenceNumber,
    record.pipeline,
    record.reason === 'storage' ? (record.stream ?? '') : undefined,
  );
  const truncated = record.raw.length > DEAD_LETTER_RAW_LIMIT;
  const normalized: DeadLetterRecord = {
    raw: truncated ? record.raw.slice(0, DEAD_LETTER_RAW_LIMIT) : record.raw,
    reason: record.reason,
    detail: record.detail.slice(0, DEAD_LETTER_DETAIL_LIMIT),
    partition: record.partition,
    sequenceNumber: record.sequenceNumber,
    enqueuedTime: normalizeIso('enqueuedTime', record.enqueuedTime),
    recordedAt: normalizeIso('recordedAt', record.recordedAt),
    ...(record.pipeline !== undefined ? { pipeline: record.pipeline } : {}),
    ...(record.pipelineVersion !== undefined ? { pipelineVersion: record.pipelineVersion } : {}),
    ...(record.stream !== undefined ? { stream: record.stream } : {}),
    ...(truncated ? { rawTruncated: true } : {}),
    ...(record.replay !== undefined ? { replay: record.replay } : {}),
  };
  return { rowKey, record: normalized };
}
