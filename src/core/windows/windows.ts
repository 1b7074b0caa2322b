/** Event-time windows. Tumbling when hopMs is absent or equals sizeMs; hopping (overlapping) when hopMs < sizeMs. */
export interface WindowSpec {
  sizeMs: number;
  hopMs?: number;
}

export interface WindowBounds {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

/** Windows containing `timeMs`, oldest first. Windows are aligned to the Unix epoch. */
export function windowsFor(timeMs: number, spec: WindowSpec): WindowBounds[] {
  const size = spec.sizeMs;
  const hop = spec.hopMs ?? size;
  const out: WindowBounds[] = [];
  // The latest window containing t starts at the last hop boundary <= t; earlier ones step back by hop while still covering t.
  const latest = Math.floor(timeMs / hop) * hop;
  let start = latest;
  while (start + size > timeMs) start -= hop;
  // Windows before the epoch are skipped so keys stay non-negative (only events in the first window width are affected).
  for (start += hop; start <= latest; start += hop) if (start >= 0) out.push({ start, end: start + size });
  return out;
}

/** Width of a window key: enough digits for any epoch-ms time up to year 9999. */
export const WINDOW_KEY_DIGITS = 15;
export const MAX_EVENT_TIME = 253_402_300_799_999;

/** Zero-padded decimal so lexical order equals numeric order (Table storage RowKey, object keys). */
export function windowKey(start: number): string {
  return String(Math.trunc(start)).padStart(WINDOW_KEY_DIGITS, '0');
}

export function parseWindowKey(key: string): number | undefined {
  if (!/^\d{1,15}$/.test(key)) return undefined;
  return Number(key);
}
