import { configError } from '../errors';

/**
 * Parses a .NET TimeSpan as host.json writes it ("hh:mm:ss", "hh:mm:ss.fff", "d.hh:mm:ss") into
 * milliseconds. `where` names the setting in the error.
 */
export function parseTimeSpan(text: string, where: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!match) {
    throw configError(`${where} must be a TimeSpan like "00:00:05" or "1.00:00:00"; found ${JSON.stringify(text)}.`);
  }
  const [, days, hours, minutes, seconds, fraction] = match;
  const h = Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  if (h > 23 || m > 59 || s > 59) {
    throw configError(`${where} has hours, minutes or seconds out of range; found ${JSON.stringify(text)}.`);
  }
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return Math.round(((Number(days ?? 0) * 24 + h) * 60 + m) * 60_000 + s * 1000 + fractionMs);
}
