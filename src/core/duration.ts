/** Durations are "500ms", "10s", "1m", "1h", "1d" (decimals allowed, e.g. "1.5s") or a number of milliseconds. */
export type Duration = string | number;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Milliseconds for a duration, or undefined when it is not one (callers word their own error). */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined;
  if (typeof input !== 'string') return undefined;
  const match = PATTERN.exec(input.trim());
  if (!match) return undefined;
  const unit = UNITS[match[2] as string] as number;
  return Math.round(Number(match[1]) * unit);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
