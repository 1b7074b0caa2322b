/**
 * cyrb53 (public domain, bryc/code): a fast, stable 53-bit string hash from two 32-bit multiply-xorshift lanes,
 * well mixed in every bit, which HyperLogLog needs (index bits and rank bits must be independent). Written here
 * because the hash must never change between versions: stored registers would stop matching new values.
 * Returns the high 21 bits and the low 32 bits.
 */
export function hash53(text: string, out: { hi: number; lo: number }): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out.hi = (h2 & 0x1fffff) >>> 0;
  out.lo = h1 >>> 0;
}
