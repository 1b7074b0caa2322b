import { MAX_TEXT_CHARS } from './chunkedText';
import { minuteKey } from './keys';
import { normalizeIso } from './normalizeIso';
import { StorageInputError } from './StorageInputError';
import type { IngestMetricsInput, IngestMetricsRow, MergeLatencySketches } from './types';

const COUNTERS = ['eventsIn', 'aggregated', 'filtered', 'deadLettered', 'entityOperations', 'processingMs'] as const;
/** Counters an input may omit (0), added by later features; rows read back from before them have none. */
export const OPTIONAL_COUNTERS = [
  'poison',
  'replayed',
  'replayDuplicates',
  'duplicatesSuppressed',
  'revisions',
  'lateWithdrawn',
] as const;

/** The `partition` of the rows the stream entities write (suppressed duplicates, revisions): not an Event Hubs partition, not a batch. */
export const ENTITY_METRICS_PARTITION = 'entities';

/** Sketch list budget: the serialized array must fit the chunked-text budget with room for the counters. */
const SKETCH_BUDGET_CHARS = MAX_TEXT_CHARS - 10_000;

/** Validates a batch's metrics and folds them into the (minute, partition) row it belongs to. */
export function accumulateMetrics(
  existing: IngestMetricsRow | undefined,
  input: IngestMetricsInput,
  merge: MergeLatencySketches | undefined,
): IngestMetricsRow {
  const at = normalizeIso('at', input.at);
  if (typeof input.partition !== 'string' || input.partition === '') {
    throw new StorageInputError(
      'partition',
      `partition: expected a non-empty string, found ${JSON.stringify(input.partition)}`,
    );
  }
  for (const name of ['retried', ...OPTIONAL_COUNTERS] as const) {
    const value = input[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new StorageInputError(
        name,
        `${name}: expected a non-negative number or nothing, found ${JSON.stringify(value)}`,
      );
    }
  }
  for (const name of COUNTERS) {
    const value = input[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new StorageInputError(name, `${name}: expected a non-negative number, found ${JSON.stringify(value)}`);
    }
  }
  const missing = countsOf('filteredMissing', 'pipeline', input.filteredMissing);
  const breakdown = countsOf('breakdown', 'key', input.breakdown);
  const row: IngestMetricsRow = existing
    ? {
        ...existing,
        filteredMissing: { ...existing.filteredMissing },
        breakdown: { ...existing.breakdown },
        latencySketches: [...existing.latencySketches],
      }
    : {
        minute: `${minuteKey(Date.parse(at))}:00.000Z`,
        partition: input.partition,
        eventsIn: 0,
        aggregated: 0,
        filtered: 0,
        filteredMissing: {},
        breakdown: {},
        deadLettered: 0,
        entityOperations: 0,
        processingMs: 0,
        retried: 0,
        poison: 0,
        replayed: 0,
        replayDuplicates: 0,
        duplicatesSuppressed: 0,
        revisions: 0,
        lateWithdrawn: 0,
        batches: 0,
        latencySketches: [],
        sketchesDropped: 0,
      };
  for (const name of COUNTERS) row[name] += input[name];
  for (const [pipeline, value] of Object.entries(missing))
    row.filteredMissing[pipeline] = (row.filteredMissing[pipeline] ?? 0) + value;
  for (const [key, value] of Object.entries(breakdown)) row.breakdown[key] = (row.breakdown[key] ?? 0) + value;
  row.retried += input.retried ?? 0;
  for (const name of OPTIONAL_COUNTERS) row[name] = (row[name] ?? 0) + (input[name] ?? 0);
  // A failed attempt is not a batch: its redelivery is.
  if (!input.retried && input.partition !== ENTITY_METRICS_PARTITION) row.batches += 1;
  if (input.latencySketch) {
    const [first] = row.latencySketches;
    if (merge && row.latencySketches.length === 1 && first !== undefined)
      row.latencySketches = [merge(first, input.latencySketch)];
    else row.latencySketches.push(input.latencySketch);
    while (row.latencySketches.length > 1 && JSON.stringify(row.latencySketches).length > SKETCH_BUDGET_CHARS) {
      row.latencySketches.shift();
      row.sketchesDropped += 1;
    }
  }
  return row;
}

/** A name -> count object (absent: none), each count a non-negative number; the error names the field. */
function countsOf(field: string, what: string, value: Record<string, number> | undefined): Record<string, number> {
  const counts = value ?? {};
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) {
    throw new StorageInputError(
      field,
      `${field}: expected an object of ${what} -> count, found ${JSON.stringify(counts)}`,
    );
  }
  for (const [key, n] of Object.entries(counts)) {
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new StorageInputError(field, `${field}.${key}: expected a non-negative number, found ${JSON.stringify(n)}`);
    }
  }
  return counts;
}
