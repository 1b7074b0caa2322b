import type { StreamResult } from '../core/analysis/types';

/** Streams in report order: descending max severity, then name. */
export function rankStreams(results: StreamResult[]): StreamResult[] {
  return results.sort(
    (a, b) => b.maxSeverity - a.maxSeverity || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0),
  );
}
