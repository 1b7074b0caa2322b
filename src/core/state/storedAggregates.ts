import { type AggregateResult, type EncodedAggregate, summarizeEncoded } from '../aggregates';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A closed window's aggregates as the Windows table stores them: kind and encoding only (results derive from them). */
export function aggregatesToStored(
  results: Record<string, (AggregateResult & { data: string }) | EncodedAggregate>,
): Record<string, EncodedAggregate> {
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { kind: r.kind, data: r.data }]));
}

/**
 * Stored aggregates -> each `{kind, ...result, data}`. One this code cannot read (unknown kind, newer encoding, not
 * an aggregate) is served as stored, never refused.
 */
export function aggregatesFromStored(stored: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stored).map(([name, e]) => {
      if (!isObject(e) || typeof e['kind'] !== 'string' || typeof e['data'] !== 'string') return [name, e];
      try {
        return [name, { ...summarizeEncoded({ kind: e['kind'], data: e['data'] }), data: e['data'] }];
      } catch {
        return [name, e];
      }
    }),
  );
}
