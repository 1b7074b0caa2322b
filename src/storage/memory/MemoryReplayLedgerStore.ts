import { replayRowKeys } from '../replayKey';
import type { ReplayClaim, ReplayKey, ReplayLedgerStore } from '../types';

const id = (key: ReplayKey): string => {
  const { partitionKey, rowKey } = replayRowKeys(key);
  return `${partitionKey}\n${rowKey}`;
};
const copy = (c: ReplayClaim): ReplayClaim => ({
  partition: c.partition,
  sequenceNumber: c.sequenceNumber,
  pipeline: c.pipeline,
  by: { ...c.by },
  at: c.at,
});

/** In-process ReplayLedgerStore with the Table store's behaviour. */
export class MemoryReplayLedgerStore implements ReplayLedgerStore {
  private readonly rows = new Map<string, ReplayClaim>();

  async claim(claims: ReplayClaim[]): Promise<ReplayClaim[]> {
    return claims.map((c) => {
      const key = id(c);
      const held = this.rows.get(key);
      if (held) return copy(held);
      this.rows.set(key, copy(c));
      return copy(c);
    });
  }

  async get(keys: ReplayKey[]): Promise<(ReplayClaim | undefined)[]> {
    return keys.map((k) => {
      const held = this.rows.get(id(k));
      return held && copy(held);
    });
  }

  async release(claims: ReplayClaim[]): Promise<void> {
    for (const c of claims) {
      const key = id(c);
      const held = this.rows.get(key);
      if (held && held.by.partition === c.by.partition && held.by.sequenceNumber === c.by.sequenceNumber)
        this.rows.delete(key);
    }
  }
}
