import { encodeKey } from './encodeKey';

/**
 * The order of streams in the Windows table (and in {@link WindowStore.queryRange}): by encoded key, compared as
 * UTF-16 code units like JavaScript's `<` and Azurite. It differs from plain string order only for names holding
 * characters that encodeKey escapes (`% / \ # ?` and control characters): "a/" is stored as "a%2F", so it sorts
 * before "a&" here although "a/" > "a&" as plain text. Callers that cut sorted streams into ranges must sort with this.
 */
export function compareStreamKeys(a: string, b: string): number {
  const x = encodeKey(a);
  const y = encodeKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
