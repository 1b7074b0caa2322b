/**
 * Durations in pipeline definitions are ISO 8601 durations limited to days, hours, minutes and seconds
 * (decimals allowed on the smallest unit given, e.g. "PT0.5S"): "PT1M", "PT15M", "PT1H", "P1D", "P1DT12H".
 * Years, months and weeks are refused because their length in milliseconds is not fixed.
 */
export type Duration = string;

const PATTERN = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000] as const;

/** Milliseconds of an ISO 8601 duration, or undefined when the input is not one (callers word their own error). */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input !== 'string') return undefined;
  const match = PATTERN.exec(input);
  if (!match || input === 'P' || input.endsWith('T')) return undefined;
  const parts = match.slice(1);
  // Only the last component given may have a fraction, as ISO 8601 says.
  const given = parts.flatMap((p, i) => (p === undefined ? [] : [i]));
  if (given.slice(0, -1).some((i) => (parts[i] as string).includes('.'))) return undefined;
  let ms = 0;
  parts.forEach((p, i) => {
    if (p !== undefined) ms += Number(p) * UNIT_MS[i as 0 | 1 | 2 | 3];
  });
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The shortest ISO 8601 duration for whole milliseconds, e.g. 90_000 -> "PT1M30S", 500 -> "PT0.5S", 0 -> "PT0S". */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms));
  const days = Math.floor(rest / UNIT_MS[0]);
  rest -= days * UNIT_MS[0];
  const hours = Math.floor(rest / UNIT_MS[1]);
  rest -= hours * UNIT_MS[1];
  const minutes = Math.floor(rest / UNIT_MS[2]);
  rest -= minutes * UNIT_MS[2];
  const seconds = rest / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
