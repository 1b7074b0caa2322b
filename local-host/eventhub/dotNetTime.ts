/** The fraction .NET's round-trip format writes: up to 7 digits with trailing zeros dropped (none if zero). */
function fraction(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
}

/** A DateTime of unspecified kind as Json.NET writes it: no zone designator ("2024-05-01T10:00:00.12"). */
export function dotNetDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}${fraction(date)}`;
}

/** A DateTimeOffset at UTC as Json.NET writes it ("2024-05-01T10:00:00.12+00:00"). */
export function dotNetDateTimeOffset(date: Date): string {
  return `${dotNetDateTime(date)}+00:00`;
}
