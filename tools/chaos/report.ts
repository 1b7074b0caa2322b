/** What the harness sent to one stream (only events the local hub acknowledged). */
export interface StreamTruth {
  valid: number;
  validSum: number;
  invalid: number;
}

/** What the app shows for one stream after the drain. */
export interface StreamObserved {
  /** Live totals of the stream entity (count and sum of `value`), or 0 when the entity does not exist. */
  counted: number;
  countedSum: number;
  /** Events in closed windows stored in the Windows table. */
  storedWindowEvents: number;
  /** Events in the entity's live (open) windows, pending partials included. */
  liveWindowEvents: number;
  /** Events the entity counted in its totals but whose window had already closed (no window holds them). */
  lateAtEntity: number;
  conflicts: number;
}

/** Dead letters of one stream's events, matched to what was sent by the event id in the raw body. */
export interface StreamDeadLetters {
  /** Distinct sent events found dead-lettered, by whether the harness sent them valid. */
  valid: number;
  validSum: number;
  invalid: number;
}

export interface StreamResult {
  sent: number;
  sentValid: number;
  counted: number;
  deadLettered: number;
  /** Events in neither the totals nor the dead letters. */
  lost: number;
  /** Events counted beyond the valid events that were not dead-lettered. */
  doubleCounted: number;
  /** Counted sum minus the sum of the valid events that should be counted (0 when counts and values are exact). */
  sumDelta: number;
  /** Counted events that are in no stored closed window, no live window and not late at the entity (closed windows never saved). */
  unsavedWindowEvents: number;
  conflicts: number;
}

export interface Totals {
  sent: number;
  counted: number;
  deadLettered: number;
  lost: number;
  doubleCounted: number;
}

/** Per stream: lost and doubleCounted per the chaos suite's definitions (docs/how-to/chaos.md). */
export function streamResult(truth: StreamTruth, observed: StreamObserved, dead: StreamDeadLetters): StreamResult {
  // Valid events the app rightly dead-lettered (none are expected) are not owed to the totals.
  const expectedCounted = truth.valid - dead.valid;
  const expectedSum = truth.validSum - dead.validSum;
  const missingInvalid = truth.invalid - dead.invalid;
  return {
    sent: truth.valid + truth.invalid,
    sentValid: truth.valid,
    counted: observed.counted,
    deadLettered: dead.valid + dead.invalid,
    lost: Math.max(0, expectedCounted - observed.counted) + Math.max(0, missingInvalid),
    doubleCounted: Math.max(0, observed.counted - expectedCounted),
    sumDelta: observed.countedSum - expectedSum,
    unsavedWindowEvents:
      observed.counted - observed.lateAtEntity - observed.storedWindowEvents - observed.liveWindowEvents,
    conflicts: observed.conflicts,
  };
}

export function totalsOf(results: Iterable<StreamResult>): Totals {
  const t: Totals = { sent: 0, counted: 0, deadLettered: 0, lost: 0, doubleCounted: 0 };
  for (const r of results) {
    t.sent += r.sent;
    t.counted += r.counted;
    t.deadLettered += r.deadLettered;
    t.lost += r.lost;
    t.doubleCounted += r.doubleCounted;
  }
  return t;
}

/** Why a run fails, one line each; empty when every stream is exact. */
export function failuresOf(perStream: Readonly<Record<string, StreamResult>>, extra: readonly string[] = []): string[] {
  const out = [...extra];
  for (const [stream, r] of Object.entries(perStream)) {
    if (r.lost > 0)
      out.push(
        `${stream}: ${r.lost} event(s) lost (sent ${r.sent}, counted ${r.counted}, dead-lettered ${r.deadLettered})`,
      );
    if (r.doubleCounted > 0)
      out.push(
        `${stream}: ${r.doubleCounted} event(s) counted twice (expected ${r.sentValid} counted, found ${r.counted})`,
      );
    if (r.lost === 0 && r.doubleCounted === 0 && r.sumDelta !== 0)
      out.push(`${stream}: the counts are exact but the sum is off by ${r.sumDelta}`);
    if (r.unsavedWindowEvents !== 0)
      out.push(
        `${stream}: ${r.unsavedWindowEvents} counted event(s) are in no stored or live window (closed windows not saved)`,
      );
  }
  return out;
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** A fixed-width table: one row per stream and a total row. */
export function formatTable(perStream: Readonly<Record<string, StreamResult>>, totals: Totals): string {
  const head = ['stream', 'sent', 'counted', 'deadLettered', 'lost', 'doubleCounted', 'sumDelta', 'unsavedWindows'];
  const rows = Object.entries(perStream).map(([s, r]) => [
    s,
    r.sent,
    r.counted,
    r.deadLettered,
    r.lost,
    r.doubleCounted,
    r.sumDelta,
    r.unsavedWindowEvents,
  ]);
  rows.push(['total', totals.sent, totals.counted, totals.deadLettered, totals.lost, totals.doubleCounted, '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]): string =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : pad(c, widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
