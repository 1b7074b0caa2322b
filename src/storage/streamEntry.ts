import { normalizeIso } from './normalizeIso';
import { StorageInputError } from './StorageInputError';
import type { StreamCatalogEntry } from './types';

/** Validated catalog entry, shared by both implementations. */
export function streamEntry(entry: StreamCatalogEntry): StreamCatalogEntry {
  for (const field of ['pipeline', 'stream'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') {
      throw new StorageInputError(
        field,
        `${field}: expected a non-empty string, found ${JSON.stringify(entry[field])}`,
      );
    }
  }
  for (const field of ['events', 'eventsPerSec'] as const) {
    if (typeof entry[field] !== 'number' || !Number.isFinite(entry[field]) || entry[field] < 0) {
      throw new StorageInputError(
        field,
        `${field}: expected a non-negative number, found ${JSON.stringify(entry[field])}`,
      );
    }
  }
  return {
    pipeline: entry.pipeline,
    stream: entry.stream,
    lastSeen: normalizeIso('lastSeen', entry.lastSeen),
    events: entry.events,
    eventsPerSec: entry.eventsPerSec,
  };
}
