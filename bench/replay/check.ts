import { setTimeout as sleep } from 'node:timers/promises';

import type { Expected, ExpectedHistory, Stat } from './expected';

/** What the API answers, as far as the check reads it. */
interface SummaryJson {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

interface StreamViewJson {
  events: number;
  totals: Record<string, SummaryJson | undefined>;
  windows: { start: number; end: number; events: number; measures: Record<string, SummaryJson | undefined> }[];
  metrics: { late: number; lateAtEntity: number };
}

interface WindowJson {
  start: number;
  end: number;
  data: { events: number; measures: Record<string, SummaryJson | undefined> };
}

export interface CheckResult {
  exact: boolean;
  keysChecked: number;
  /** Keys whose live totals (events, count/sum/min/max of delay and distance) differ. */
  keysWrong: number;
  /**
   * Keys where events counted + events dead-lettered `late` differ from the events sent: an event lost or counted
   * twice, whatever the lateness rules (0 even while false late dead letters make keysWrong > 0).
   */
  keysUnaccounted: number;
  windowsChecked: number;
  windowsMissing: number;
  windowsExtra: number;
  windowsWrong: number;
  /** Hours found both among the closed windows and the live view's open ones. */
  windowsDuplicated: number;
  /** Closed windows read from GET .../windows (the rest were open in the live view). */
  windowsClosed: number;
  /** Sum over the keys of the live view's metrics.late: events the stream dead-lettered `late`. */
  late: number;
  /** Sum of metrics.lateAtEntity: events for windows already closed, dropped at the entity. */
  lateAtEntity: number;
  /** The first mismatches, each naming key, what was expected and what was found. */
  mismatches: string[];
}

const MEASURES = ['delay', 'distance'] as const;
const MAX_LISTED = 40;

export interface ApiClient {
  baseUrl: string;
  /** Sent as x-functions-key when the host requires keys. */
  key?: string;
}

async function getJson<T>(api: ApiClient, path: string): Promise<{ status: number; json: T | undefined }> {
  const res = await fetch(`${api.baseUrl}${path}`, { headers: api.key ? { 'x-functions-key': api.key } : {} });
  const text = await res.text();
  if (res.status === 404) return { status: 404, json: undefined };
  if (res.status !== 200) throw new Error(`GET ${path}: expected 200, found ${res.status} ${text.slice(0, 300)}`);
  return { status: 200, json: JSON.parse(text) as T };
}

/** Differences between an expected stat and a summary, as "delay.sum expected 12 found 11" fragments. */
function statDiff(name: string, want: Stat, got: SummaryJson | undefined): string[] {
  if (!got) return [`${name} expected ${JSON.stringify(want)}, found none`];
  const out: string[] = [];
  const expectMin = want.count > 0 ? want.min : null;
  const expectMax = want.count > 0 ? want.max : null;
  if (got.count !== want.count) out.push(`${name}.count expected ${want.count} found ${got.count}`);
  // Integer inputs: sums are exact in floating point, so equality is the right test.
  if (got.sum !== want.sum) out.push(`${name}.sum expected ${want.sum} found ${got.sum}`);
  if (got.min !== expectMin) out.push(`${name}.min expected ${expectMin} found ${got.min}`);
  if (got.max !== expectMax) out.push(`${name}.max expected ${expectMax} found ${got.max}`);
  return out;
}

function expectedDiff(
  want: Expected,
  gotEvents: number,
  gotMeasures: Record<string, SummaryJson | undefined>,
): string[] {
  const out = gotEvents === want.events ? [] : [`events expected ${want.events} found ${gotEvents}`];
  for (const m of MEASURES) out.push(...statDiff(m, want[m], gotMeasures[m]));
  return out;
}

async function closedWindows(api: ApiClient, pipeline: string, key: string): Promise<WindowJson[]> {
  const out: WindowJson[] = [];
  let token: string | undefined;
  do {
    const query = `limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
    const page = await getJson<{ items: WindowJson[]; continuationToken?: string }>(
      api,
      `/api/streams/${encodeURIComponent(pipeline)}/${encodeURIComponent(key)}/windows?${query}`,
    );
    out.push(...(page.json?.items ?? []));
    token = page.json?.continuationToken;
  } while (token);
  return out;
}

/**
 * One pass over every expected key: the live view (GET /api/streams/{p}/{key}: totals and open windows) and the
 * closed windows (GET .../windows, every page). Each expected hour must be in exactly one of them with exact figures.
 */
export async function checkOnce(
  api: ApiClient,
  pipeline: string,
  expected: ExpectedHistory,
  concurrency = 8,
): Promise<CheckResult> {
  const result: CheckResult = {
    exact: true,
    keysChecked: 0,
    keysWrong: 0,
    keysUnaccounted: 0,
    windowsChecked: 0,
    windowsMissing: 0,
    windowsExtra: 0,
    windowsWrong: 0,
    windowsDuplicated: 0,
    windowsClosed: 0,
    late: 0,
    lateAtEntity: 0,
    mismatches: [],
  };
  const note = (message: string): void => {
    result.exact = false;
    if (result.mismatches.length < MAX_LISTED) result.mismatches.push(message);
  };
  const keys = [...expected.keys.entries()];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const [key, want] = keys[next++]!;
        result.keysChecked++;
        const view = await getJson<StreamViewJson>(
          api,
          `/api/streams/${encodeURIComponent(pipeline)}/${encodeURIComponent(key)}`,
        );
        if (!view.json) {
          result.keysWrong++;
          note(`${key}: no live state (404); expected ${want.events} events`);
          result.windowsMissing += want.windows.size;
          continue;
        }
        const v = view.json;
        result.late += v.metrics.late;
        result.lateAtEntity += v.metrics.lateAtEntity;
        if (v.events + v.metrics.late !== want.events) {
          result.keysUnaccounted++;
          note(
            `${key}: ${v.events} events counted + ${v.metrics.late} dead-lettered late = ${v.events + v.metrics.late}; expected ${want.events} sent`,
          );
        }
        const totals = expectedDiff(want, v.events, v.totals);
        if (totals.length > 0) {
          result.keysWrong++;
          note(`${key} totals: ${totals.join('; ')}`);
        }
        const closed = await closedWindows(api, pipeline, key);
        result.windowsClosed += closed.length;
        const found = new Map<number, { events: number; measures: Record<string, SummaryJson | undefined> }>();
        for (const w of closed) found.set(w.start, w.data);
        for (const w of v.windows) {
          if (found.has(w.start)) {
            result.windowsDuplicated++;
            note(`${key} window ${new Date(w.start).toISOString()}: both closed (table) and open (live view)`);
          }
          found.set(w.start, w);
        }
        for (const [start, w] of want.windows) {
          result.windowsChecked++;
          const got = found.get(start);
          if (!got) {
            result.windowsMissing++;
            note(`${key} window ${new Date(start).toISOString()}: missing (expected ${w.events} events)`);
            continue;
          }
          const diff = expectedDiff(w, got.events, got.measures);
          if (diff.length > 0) {
            result.windowsWrong++;
            note(`${key} window ${new Date(start).toISOString()}: ${diff.join('; ')}`);
          }
        }
        for (const [start, got] of found) {
          if (!want.windows.has(start)) {
            result.windowsExtra++;
            note(`${key} window ${new Date(start).toISOString()}: not expected, found ${got.events} events`);
          }
        }
      }
    }),
  );
  return result;
}

/**
 * Checks until exact or `timeoutMs` passed, returning the last result: right after the hub is drained an entity may
 * still hold a signal in its queue, or be between saving a closed window and saving its own state.
 */
export async function checkUntilExact(
  api: ApiClient,
  pipeline: string,
  expected: ExpectedHistory,
  timeoutMs: number,
  onRetry?: (r: CheckResult) => void,
): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  const figures = (r: CheckResult): string =>
    JSON.stringify([
      r.keysWrong,
      r.keysUnaccounted,
      r.windowsMissing,
      r.windowsWrong,
      r.windowsExtra,
      r.windowsDuplicated,
      r.late,
    ]);
  let previous: string | undefined;
  for (;;) {
    const result = await checkOnce(api, pipeline, expected);
    if (result.exact || Date.now() > deadline) return result;
    // Events dead-lettered `late` never come back: once every event is accounted for and the figures stop moving,
    // waiting longer cannot make the result exact.
    if (result.late > 0 && result.keysUnaccounted === 0 && figures(result) === previous) return result;
    previous = figures(result);
    onRetry?.(result);
    await sleep(2000);
  }
}

/**
 * Polls until every expected key's live view counts all its events (or more), and returns when that first held; or
 * throws after `timeoutMs`. Events dead-lettered `late` never arrive, so they count as arrived (metrics.late).
 */
export async function waitAllCounted(
  api: ApiClient,
  pipeline: string,
  expected: ExpectedHistory,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const done = new Set<string>();
  for (;;) {
    const open = [...expected.keys].filter(([key]) => !done.has(key));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < open.length) {
          const [key, want] = open[next++]!;
          const view = await getJson<StreamViewJson>(
            api,
            `/api/streams/${encodeURIComponent(pipeline)}/${encodeURIComponent(key)}`,
          );
          if (view.json && view.json.events + view.json.metrics.late >= want.events) done.add(key);
        }
      }),
    );
    if (done.size === expected.keys.size) return Date.now();
    if (Date.now() > deadline)
      throw new Error(
        `Not every key counted its events within ${timeoutMs} ms: ${done.size} of ${expected.keys.size} complete.`,
      );
    await sleep(250);
  }
}
