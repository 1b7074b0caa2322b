/**
 * The scripted session run shared by the session tests (test/e2e/aggregates.test.ts without a crash,
 * test/e2e-crash/sessionRedelivery.test.ts with one): one user's clicks at minutes 0, 5, 20, 22, then 13 (late,
 * bridging two sessions), then 50 and 62 (the 60-minute maxDuration boundary), gap PT10M.
 */

/** A /windows row of the session stream, as the tests read it. */
export interface SessionRow {
  start: number;
  end: number;
  data: { events: number; closedBy: string; supersededBy?: number; measures: { clicks?: { sum: number } } };
}

/** The rows as minutes since `t0`, with the fields the expectation names. */
export function sessionsInMinutes(rows: readonly SessionRow[], t0: number) {
  const m = (t: number): number => (t - t0) / 60_000;
  return rows.map((w) => ({
    start: m(w.start),
    end: m(w.end),
    events: w.data.events,
    clicks: w.data.measures.clicks?.sum,
    closedBy: w.data.closedBy,
    supersededBy: w.data.supersededBy === undefined ? null : m(w.data.supersededBy),
  }));
}

/** What the script must end as, crash or not: the bridged session, the one it absorbed, and the split. */
export const EXPECTED_SESSIONS = [
  { start: 0, end: 32, events: 5, clicks: 5, closedBy: 'idle', supersededBy: null },
  { start: 20, end: 32, events: 2, clicks: 2, closedBy: 'superseded', supersededBy: 0 },
  { start: 50, end: 60, events: 1, clicks: 1, closedBy: 'idle', supersededBy: null },
  { start: 62, end: 72, events: 1, clicks: 1, closedBy: 'idle', supersededBy: null },
];
