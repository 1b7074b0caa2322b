import { accumulateMetrics } from '../accumulateMetrics';
import { encodeKey } from '../encodeKey';
import { minuteKey } from '../keys';
import { normalizeIso } from '../normalizeIso';
import { purgeBeforeMs } from '../purgeArgs';
import type {
  IngestMetricsInput,
  IngestMetricsRow,
  IngestMetricsStore,
  MergeLatencySketches,
  PurgeResult,
} from '../types';
import { deleteKeys } from './deleteKeys';

export class MemoryIngestMetricsStore implements IngestMetricsStore {
  private readonly rows = new Map<string, IngestMetricsRow>();

  constructor(private readonly merge?: MergeLatencySketches) {}

  async record(input: IngestMetricsInput): Promise<void> {
    const key = `${minuteKey(Date.parse(normalizeIso('at', input.at)))}\u0000${encodeKey(String(input.partition))}`;
    this.rows.set(key, accumulateMetrics(this.rows.get(key), input, this.merge));
  }

  async recordAll(inputs: readonly IngestMetricsInput[]): Promise<void> {
    for (const input of inputs) await this.record(input);
  }

  async recent(sinceMs: number): Promise<IngestMetricsRow[]> {
    const from = minuteKey(sinceMs);
    return [...this.rows.entries()]
      .filter(([k]) => k >= from)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => ({
        ...r,
        filteredMissing: { ...r.filteredMissing },
        breakdown: { ...r.breakdown },
        latencySketches: [...r.latencySketches],
      }));
  }

  async purge(beforeMs: number, limit: number): Promise<PurgeResult> {
    const cutoff = minuteKey(purgeBeforeMs(beforeMs));
    return deleteKeys(this.rows, (k) => k < cutoff, limit);
  }
}
