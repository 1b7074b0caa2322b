import { encodeKey } from './encodeKey';
import { StorageInputError } from './StorageInputError';

const WINDOW_START_DIGITS = 16;
const SEQUENCE_DIGITS = 20;

/** RowKey for a window: zero-padded start, so string order is time order. */
export function windowRowKey(start: number, field = 'start'): string {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new StorageInputError(field, `${field}: expected a non-negative integer epoch-ms time, found ${start}`);
  }
  return String(start).padStart(WINDOW_START_DIGITS, '0');
}

const VERSION_DIGITS = 6;

/** WindowVersions' RowKey: the window's row key, ".", the zero-padded version (so a window's versions sort by number). */
export function windowVersionRowKey(start: number, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1 || version >= 10 ** VERSION_DIGITS) {
    throw new StorageInputError('version', `version: expected an integer from 1 to 999999, found ${version}`);
  }
  return `${windowRowKey(start)}.${String(version).padStart(VERSION_DIGITS, '0')}`;
}

/** The RowKey bounds of one window's versions: ge `low` and lt `high` ("/" follows "."). */
export function windowVersionRange(start: number): { low: string; high: string } {
  const row = windowRowKey(start);
  return { low: `${row}.`, high: `${row}/` };
}

/** The RowKey bounds of the versions of every window starting in [from, to): ge `low` and lt `high`. */
export function windowVersionStartsRange(from: number, to: number): { low: string; high: string } {
  return { low: `${windowRowKey(from, 'from')}.`, high: `${windowRowKey(to, 'to')}.` };
}

/** The UTC day of a normalized ISO time: "2024-05-01" (Alerts' PartitionKey, and dead letters' before the hourly layout). */
export function dayKey(iso: string): string {
  return iso.slice(0, 10);
}

/** The UTC hour of a normalized ISO time: "2024-05-01T10". */
export function hourKey(iso: string): string {
  return iso.slice(0, 13);
}

/**
 * Dead letters partition by the UTC hour of enqueuedTime (stable across redelivery) and the Event Hubs partition:
 * "2024-05-01T10|3". One Event Hubs partition is read by one instance at a time, so each table partition has one
 * writer at a time and at most that partition's dead-letter rate; a day-wide partition took every dead letter of the
 * app. Pass a normalized ISO time. Rows of the older layout ("2024-05-01") sort before every hour of their day.
 */
export function deadLetterPartitionKey(enqueuedTime: string, partition: string): string {
  return `${hourKey(enqueuedTime)}|${encodeKey(partition)}`;
}

/**
 * Identity of a dead letter: one row per (partition, sequenceNumber, pipeline); a `storage` record (a stream's partial
 * or window, not one event) adds its stream, so it never overwrites an event's record nor another stream's.
 */
export function deadLetterRowKey(
  partition: string,
  sequenceNumber: number,
  pipeline: string | undefined,
  stream?: string,
): string {
  if (!Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) {
    throw new StorageInputError(
      'sequenceNumber',
      `sequenceNumber: expected a non-negative integer, found ${sequenceNumber}`,
    );
  }
  const key = `${encodeKey(partition)}|${String(sequenceNumber).padStart(SEQUENCE_DIGITS, '0')}|${encodeKey(pipeline ?? '')}`;
  return stream === undefined ? key : `${key}|${encodeKey(stream)}`;
}

/** Ingest metrics partition by the UTC minute of the batch: "2024-05-01T10:07". */
export function minuteKey(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
}

/** The smallest string greater than every string starting with `prefix` (for `RowKey lt` range ends). */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
