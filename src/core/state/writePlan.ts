import type { StreamChangeKind } from './streamPolicy';

/**
 * Which of a stream's bookkeeping rows its entity writes after an operation: the Streams catalog row and the
 * idle-index row (docs/explanation/table-layout.md, "Write rates"). Pure, so the rules are tested without storage.
 *
 * The rules, for an active stream: each row at most about once per refresh interval `R`, not once per operation.
 * - Catalog: written when it misses events and was written `R` ago or more (merge and commit alike), at once when never
 *   written, and exactly on a flush (the idle timer's: the stream may be quiet).
 * - Index: its due time must never be later than the stream's real due (the timer would come late), and should not
 *   be so early that the timer flushes a stream that is still active. The real due is the earlier of the idle flush's
 *   and, while the catalog row misses events, its last write + CATALOG_LAG_REFRESHES × R (so a stream that goes
 *   quiet with a lagging catalog row is flushed, which makes the row exact, within that plus a timer period). Not
 *   + R: a busy stream rewrites its catalog row at its first merge R or more after the last write, and until then a
 *   row due at + R would already be due, so the timer would flush active streams. A merge that follows another
 *   within R
 *   counts the catalog refresh even while the row is exact: the next merge will make it lag, so the index row does
 *   not flip between the two dues on every operation (issue 14 measured 130 of 135 Table requests per 1,000 events
 *   in these rewrites). A commit counts the same way: it follows the stream's recent merge.
 */

/** The operations after which the rows are planned: the state-changing ones (core streamPolicy). */
export type WriteOp = StreamChangeKind;

export interface CatalogPlanInput {
  op: WriteOp;
  now: number;
  refreshMs: number;
  /** The stream's exact live total now (catalogFigures). */
  events: number;
  /** The catalog row as last written; undefined = never. */
  catalog: { at: number; events: number } | undefined;
}

/** Whether the catalog row is written now. */
export function planCatalogWrite(input: CatalogPlanInput): boolean {
  const { catalog } = input;
  if (catalog === undefined) return true;
  if (catalog.events === input.events) return false;
  return input.op === 'flush' || input.now - catalog.at >= input.refreshMs;
}

export interface IndexPlanInput {
  op: WriteOp;
  now: number;
  refreshMs: number;
  events: number;
  /** The catalog row as it stands after this operation's catalog write (or failed write). */
  catalog: { at: number; events: number } | undefined;
  /** When the idle flush may close the stream's windows (or retry unsaved ones); null when never. */
  idleDue: number | null;
  /** The pipeline's idle timeout; 0 = off. */
  idleTimeoutMs: number;
  /** The stream's merge before this operation (processing time; for a commit, its last merge); null before any. */
  previousMergeAt: number | null;
  /** The due time the index row holds; undefined = never written. */
  indexed: number | null | undefined;
}

export interface IndexPlan {
  /** The due time the row should hold. */
  due: number | null;
  write: boolean;
}

/**
 * How many refresh intervals after its last write a lagging catalog row makes the stream due. A busy stream's index
 * row then moves every CATALOG_LAG_REFRESHES - 2 catalog writes (every other one at 4) and stays ahead of the timer
 * even when its merges come almost R apart; the price: a quiet stream's row is exact within 4R (20 s) plus a timer
 * period.
 */
export const CATALOG_LAG_REFRESHES = 4;

/** The catalog's part of the due time: its last write + CATALOG_LAG_REFRESHES × R while it lags, or (a busy stream: merged within R) while it soon will. */
export function catalogDue(
  input: Pick<IndexPlanInput, 'op' | 'now' | 'refreshMs' | 'events' | 'catalog' | 'previousMergeAt'>,
): number | null {
  const { catalog } = input;
  if (catalog === undefined) return null;
  const lags = catalog.events !== input.events;
  const busy =
    input.op !== 'flush' && input.previousMergeAt !== null && input.now - input.previousMergeAt < input.refreshMs;
  return lags || busy ? catalog.at + CATALOG_LAG_REFRESHES * input.refreshMs : null;
}

const minDue = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/**
 * The index row's due and whether to write it: always after a flush (the timer came, so the row was due: correct it);
 * when it was never written or changes between due and never; when the due moved earlier (never late); and when it
 * moved later by a slack (an early row costs a flush that changes nothing): (CATALOG_LAG_REFRESHES - 2) × R while the
 * catalog refresh decides the due (a busy stream's row moves every other refresh, staying ahead of the timer), half the
 * idle timeout while the idle flush decides it; and then only once the row is due within (CATALOG_LAG_REFRESHES - 2) × R.
 */
export function planIndexWrite(input: IndexPlanInput): IndexPlan {
  const fromCatalog = catalogDue(input);
  const due = minDue(input.idleDue, fromCatalog);
  const last = input.indexed;
  if (input.op === 'flush' || last === undefined || (last === null) !== (due === null)) return { due, write: true };
  if (due === null || last === null) return { due, write: false };
  if (due < last) return { due, write: true };
  const margin = (CATALOG_LAG_REFRESHES - 2) * input.refreshMs;
  const slack =
    fromCatalog !== null && fromCatalog === due
      ? margin
      : input.idleTimeoutMs > 0
        ? input.idleTimeoutMs / 2
        : input.refreshMs;
  // Only once the row is due within the margin: a stream that turns busy again before then needs no write at all (a
  // stream whose merges come about R apart would otherwise flip between the two dues).
  return { due, write: due - last >= slack && last - input.now <= margin };
}
