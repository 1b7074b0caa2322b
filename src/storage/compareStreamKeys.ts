/**
 * Where a stream sorts in the Windows table: the base64url of its UTF-8 bytes, the stream part of its key
 * (encodeStreamKey). A lone surrogate becomes U+FFFD here (such a name is never stored: ingest dead-letters it), so
 * ordering and range bounds never throw.
 */
export const streamOrderKey = (stream: string): string => Buffer.from(stream, 'utf8').toString('base64url');

/**
 * The order of streams in the Windows table (and in {@link WindowStore.queryRange}): by the base64url part of their
 * key, compared as UTF-16 code units like JavaScript's `<` and Azurite. It is not always plain string order ("a/" sorts
 * before "a&"), so callers that cut sorted streams into ranges must sort with this.
 */
export function compareStreamKeys(a: string, b: string): number {
  const x = streamOrderKey(a);
  const y = streamOrderKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
