import type { Report, StreamResult } from '../../core/analysis/types';
import { normalizeIso } from '../normalizeIso';
import { purgeLimit } from '../purgeArgs';
import { rankStreams } from '../rankStreams';
import type { LatestReport, PurgeResult, ReportHeader, ReportStore } from '../types';
import { deleteKeys } from './deleteKeys';

/** In-process ReportStore with the Table store's behaviour (JSON copies in and out). */
export class MemoryReportStore implements ReportStore {
  private readonly headers = new Map<string, string>();
  private readonly streams = new Map<string, Map<string, string>>();
  private readonly latestByPipeline = new Map<string, string>();

  async latest(pipeline: string): Promise<LatestReport | undefined> {
    const text = this.latestByPipeline.get(pipeline);
    return text === undefined ? undefined : (JSON.parse(text) as LatestReport);
  }

  async setLatest(pipeline: string, latest: LatestReport): Promise<void> {
    this.latestByPipeline.set(pipeline, JSON.stringify(latest));
  }

  async putStreams(reportId: string, results: StreamResult[]): Promise<void> {
    let rows = this.streams.get(reportId);
    if (!rows) this.streams.set(reportId, (rows = new Map()));
    for (const r of results) rows.set(r.stream, JSON.stringify(r));
  }

  async putHeader(reportId: string, header: ReportHeader): Promise<void> {
    this.headers.set(reportId, JSON.stringify(header));
  }

  async get(reportId: string): Promise<Report | undefined> {
    const header = this.headers.get(reportId);
    if (header === undefined) return undefined;
    const rows = [...(this.streams.get(reportId)?.values() ?? [])].map((t) => JSON.parse(t) as StreamResult);
    return { ...(JSON.parse(header) as ReportHeader), streams: rankStreams(rows) };
  }

  async purge(before: string, limit: number): Promise<PurgeResult> {
    const cutoff = normalizeIso('before', before);
    let left = purgeLimit(limit);
    let deleted = 0;
    for (const [id, header] of [...this.headers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (normalizeIso('generatedAt', (JSON.parse(header) as ReportHeader).generatedAt) >= cutoff) continue;
      if (left === 0) return { deleted, more: true };
      const rows = this.streams.get(id) ?? new Map<string, string>();
      const cut = deleteKeys(rows, () => true, left);
      deleted += cut.deleted;
      left -= cut.deleted;
      if (cut.more || left === 0) return { deleted, more: true };
      this.streams.delete(id);
      this.headers.delete(id);
      deleted += 1;
      left -= 1;
    }
    return { deleted, more: false };
  }
}
