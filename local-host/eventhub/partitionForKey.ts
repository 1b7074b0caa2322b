/**
 * Maps a partition key to a partition with 32-bit FNV-1a over the key's UTF-8 bytes. Stable across runs
 * and machines, so a key's events stay in one partition, in order. (The service uses its own hash, so
 * the partition a key lands on locally and in Azure differ; only "same key, same partition" is promised.)
 */
export function partitionForKey(partitionKey: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(partitionKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitionCount;
}
