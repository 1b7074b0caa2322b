import { streamOrderKey } from '../core/streams/streamKey';

export { streamOrderKey };

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
