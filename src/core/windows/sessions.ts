/**
 * Session windows (docs/explanation/windows-and-lateness.md, "Session windows"). A session of a stream is a run of
 * events each less than `gapMs` after the previous one, within one period [k * maxDurationMs, (k + 1) * maxDurationMs)
 * since the epoch. Its identity is its start (its first event's time); its end is min(last event + gap, period end),
 * the event time from which no later event can join it. Both the batch (sessionFragments) and the entity
 * (mergeSessionInto) build sessions by these rules, so the result depends only on the set of events: two fragments
 * overlap in [start, end) exactly when their union is one session.
 */
export interface SessionSpec {
  gapMs: number;
  maxDurationMs: number;
}

export interface SessionBounds {
  start: number;
  end: number;
}

/** The end of the maxDuration period holding `time`: no session crosses it. */
export const periodEnd = (time: number, spec: SessionSpec): number =>
  (Math.floor(time / spec.maxDurationMs) + 1) * spec.maxDurationMs;

/**
 * The sessions of one batch's events of a stream: `times[i]` is event i's time; returns each session's bounds and the
 * indices of its events (ascending time, ties in input order). Pure and independent of the input order.
 */
export function sessionFragments(
  times: readonly number[],
  spec: SessionSpec,
): (SessionBounds & { events: number[] })[] {
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const out: (SessionBounds & { events: number[] })[] = [];
  let current: (SessionBounds & { events: number[] }) | undefined;
  for (const i of order) {
    const t = times[i] as number;
    if (current !== undefined && t < current.end) {
      current.events.push(i);
      current.end = Math.min(t + spec.gapMs, periodEnd(current.start, spec));
      continue;
    }
    current = { start: t, end: Math.min(t + spec.gapMs, periodEnd(t, spec)), events: [i] };
    out.push(current);
  }
  return out;
}

/** Whether two sessions of one stream are one: in the same period and overlapping in [start, end). */
export function sameSession(a: SessionBounds, b: SessionBounds, spec: SessionSpec): boolean {
  return periodEnd(a.start, spec) === periodEnd(b.start, spec) && a.start < b.end && b.start < a.end;
}

/**
 * Folds `fragment` into live sessions keyed by identity (mutates `live`): every live session that is one with it (and,
 * transitively, with their union) is merged into the session of the earliest start, which keeps that start as its
 * identity; the others are returned as absorbed (`supersededBy` the keeper's start). `merge` combines two sessions'
 * contents (bounds are set here).
 */
export function mergeSessionInto<W extends SessionBounds>(
  live: Map<number, W>,
  fragment: W,
  spec: SessionSpec,
  merge: (a: W, b: W) => W,
): { keeper: W; absorbed: { session: W; supersededBy: number }[] } {
  let merged = fragment;
  const members: W[] = [];
  // A union can reach sessions the fragment alone did not: repeat until nothing more joins.
  for (let grew = true; grew;) {
    grew = false;
    for (const w of live.values()) {
      if (members.includes(w) || !sameSession(w, merged, spec)) continue;
      members.push(w);
      merged = { ...merge(merged, w), start: Math.min(merged.start, w.start), end: Math.max(merged.end, w.end) };
      grew = true;
    }
  }
  for (const w of members) live.delete(w.start);
  live.set(merged.start, merged);
  return {
    keeper: merged,
    absorbed: members
      .filter((w) => w.start !== merged.start)
      .map((session) => ({ session, supersededBy: merged.start })),
  };
}
