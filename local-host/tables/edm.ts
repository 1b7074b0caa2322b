/**
 * Typed property values of the Table service (EDM), as the embedded table store compares them in `$filter`.
 * Numbers: Int32 and Double are JS numbers, Int64 a bigint; DateTime is kept as its text normalised to 7 fraction
 * digits (so text order is time order and 100 ns ticks survive); Guid and Binary as text.
 */
export type EdmValue =
  | { type: 'String'; value: string }
  | { type: 'Int32' | 'Double'; value: number }
  | { type: 'Int64'; value: bigint }
  | { type: 'Boolean'; value: boolean }
  | { type: 'DateTime'; value: string }
  | { type: 'Guid'; value: string }
  | { type: 'Binary'; value: string };

/** A property of a stored entity by its wire JSON (value and optional `@odata.type` annotation), or undefined. */
export function edmOf(value: unknown, annotation: unknown): EdmValue | undefined {
  if (value === null || value === undefined) return undefined;
  switch (annotation) {
    case 'Edm.Int64':
      try {
        return { type: 'Int64', value: BigInt(String(value)) };
      } catch {
        return undefined;
      }
    case 'Edm.DateTime': {
      const normal = normalizeDateTime(String(value));
      return normal === undefined ? undefined : { type: 'DateTime', value: normal };
    }
    case 'Edm.Guid':
      return { type: 'Guid', value: String(value).toLowerCase() };
    case 'Edm.Binary':
      return { type: 'Binary', value: String(value) };
    case 'Edm.Double': {
      const n = Number(value);
      return Number.isNaN(n) && value !== 'NaN' ? undefined : { type: 'Double', value: n };
    }
    case 'Edm.Int32': {
      const n = Number(value);
      return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? { type: 'Int32', value: n } : undefined;
    }
    case 'Edm.Boolean':
      return value === true || value === 'true'
        ? { type: 'Boolean', value: true }
        : value === false || value === 'false'
          ? { type: 'Boolean', value: false }
          : undefined;
    case 'Edm.String':
      return { type: 'String', value: String(value) };
    default:
      break;
  }
  if (typeof value === 'string') return { type: 'String', value };
  if (typeof value === 'boolean') return { type: 'Boolean', value };
  if (typeof value === 'number')
    return { type: Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? 'Int32' : 'Double', value };
  return undefined;
}

/** `2024-05-01T10:00:00Z` and `...00.5Z` to `2024-05-01T10:00:00.5000000Z`; undefined when not a UTC date-time. */
export function normalizeDateTime(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const base = m[1]!.length === 16 ? `${m[1]}:00` : m[1]!;
  const fraction = (m[2] ?? '').padEnd(7, '0');
  if (m[3] === undefined || m[3] === 'Z' || m[3] === '+00:00' || m[3] === '-00:00') {
    return Number.isNaN(Date.parse(`${base}Z`)) ? undefined : `${base}.${fraction}Z`;
  }
  // An offset: convert through Date (millisecond precision) and keep the sub-millisecond digits.
  const ms = Date.parse(`${base}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/**
 * Orders strings by Unicode code point (as SQLite's BINARY collation orders their UTF-8 bytes), not by UTF-16 unit as
 * JS `<` does, so a filter evaluated here agrees with the key ranges the store reads in SQL.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) stand for code points above FFFF: move them above E000-FFFF.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Compares two typed values; undefined when they cannot be compared (different kinds), which makes any comparison
 * false, as on the service. Int32, Int64 and Double compare as numbers.
 */
export function compareEdm(a: EdmValue, b: EdmValue): number | undefined {
  const numeric = (v: EdmValue): v is Extract<EdmValue, { type: 'Int32' | 'Double' | 'Int64' }> =>
    v.type === 'Int32' || v.type === 'Double' || v.type === 'Int64';
  if (numeric(a) && numeric(b)) {
    const x = a.value;
    const y = b.value;
    if (typeof x === 'number' && Number.isNaN(x)) return undefined;
    if (typeof y === 'number' && Number.isNaN(y)) return undefined;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.type !== b.type) return undefined;
  if (a.type === 'Boolean') return Number(a.value) - Number(b.value as boolean);
  return compareText(a.value as string, b.value as string);
}
