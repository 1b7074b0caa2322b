import { StorageInputError } from './StorageInputError';

/**
 * Canonical `toISOString()` form, so stored times compare correctly as strings. Event Hubs metadata gives enqueued
 * times without a zone designator ("2024-05-01T10:00:00.123"): those are UTC, not local time.
 */
export function normalizeIso(field: string, value: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(zoned) ? Date.parse(zoned) : NaN;
  if (Number.isNaN(ms)) {
    throw new StorageInputError(
      field,
      `${field}: expected an ISO 8601 time such as 2024-05-01T10:00:00Z, found ${JSON.stringify(value)}`,
    );
  }
  return new Date(ms).toISOString();
}
