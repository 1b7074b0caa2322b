/**
 * Makes any text safe as a Table PartitionKey/RowKey.
 *
 * Table keys forbid `/ \ # ?` and control characters (U+0000-U+001F, U+007F-U+009F). We escape those and `%` itself
 * as `%XX` (all of them are below U+0100), one character at a time, so the encoding is injective, reversible and prefix-preserving
 * (encodeKey(a + b) === encodeKey(a) + encodeKey(b)), which keeps RowKey range scans usable for prefix queries.
 */
export function encodeKey(text: string): string {
  return text.replace(FORBIDDEN, (ch) => {
    return `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  });
}

/** Inverse of {@link encodeKey}. */
export function decodeKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const FORBIDDEN = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;
