import { extname } from 'node:path';

import { parseCsv } from './parseCsv';
import { parseNdjson } from './parseNdjson';

/** Reads a replay file by its extension: .ndjson/.jsonl, .csv, or .json (an array). */
export function parseReplayFile(fileName: string, text: string): unknown[] {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.ndjson' || ext === '.jsonl') return parseNdjson(text);
  if (ext === '.csv') return parseCsv(text);
  if (ext === '.json') {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value))
      throw new Error(`${fileName} should hold a JSON array of events; found ${typeof value}.`);
    return value;
  }
  throw new Error(`Cannot replay ${fileName}: expected a .ndjson, .jsonl, .csv or .json file.`);
}

export interface ReplayOptions {
  /** Field holding each event's time; without it events are sent back to back (or at --rate). */
  timeColumn?: string;
  /** Shift times so the first event is "now", keeping the gaps. */
  rebaseTo?: Date;
  /** Replay this many times faster than recorded (with timeColumn). */
  speedUp: number;
}

export interface ScheduledEvent {
  event: unknown;
  /** Milliseconds after the start of the replay at which to send (undefined: no schedule). */
  atMs?: number;
}

function timeOf(event: unknown, column: string, index: number): number {
  const value = event && typeof event === 'object' ? (event as Record<string, unknown>)[column] : undefined;
  const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(t))
    throw new Error(
      `Event ${index + 1} has no usable time in "${column}" (expected an ISO date-time or epoch ms); found ${JSON.stringify(value)}.`,
    );
  return t;
}

/** Plans a replay: send offsets from the recorded times (scaled by speedUp) and, if asked, rebased times. */
export function planReplay(events: readonly unknown[], options: ReplayOptions): ScheduledEvent[] {
  const column = options.timeColumn;
  if (!column) return events.map((event) => ({ event }));
  if (!(options.speedUp > 0)) throw new Error(`--speed-up must be a positive number; found ${options.speedUp}.`);
  const times = events.map((e, i) => timeOf(e, column, i));
  const first = times.length > 0 ? Math.min(...times) : 0;
  return events.map((event, i) => {
    const offset = (times[i] as number) - first;
    const out =
      options.rebaseTo && event && typeof event === 'object'
        ? {
            ...(event as Record<string, unknown>),
            [column]: new Date(options.rebaseTo.getTime() + offset / options.speedUp).toISOString(),
          }
        : event;
    return { event: out, atMs: offset / options.speedUp };
  });
}

/**
 * The next request of a timed replay, per event rather than per batch: wait until event `from` is due, then send it
 * with every later event already due at that moment (at most `batchSize`). `elapsedMs` is the time since the start.
 * `plan` is sorted by `atMs`.
 */
export function nextSend(
  plan: readonly ScheduledEvent[],
  from: number,
  elapsedMs: number,
  batchSize: number,
): { waitMs: number; count: number } {
  const due = (i: number): number => plan[i]?.atMs ?? 0;
  const waitMs = Math.max(0, due(from) - elapsedMs);
  const sendAt = elapsedMs + waitMs;
  let end = from + 1;
  while (end < plan.length && end - from < batchSize && due(end) <= sendAt) end += 1;
  return { waitMs, count: Math.min(end, plan.length) - from };
}

/** The value at a dotted path (`a.b.c`) of an event, or undefined when a step is missing. */
export function valueAtPath(event: unknown, path: string): unknown {
  let value: unknown = event;
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** The partition key an event's field gives (strings as-is, other values as JSON); undefined when the field is missing or null. */
export function keyFromField(event: unknown, path: string): string | undefined {
  const value = valueAtPath(event, path);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
