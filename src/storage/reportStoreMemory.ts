import type { StreamResult } from '../core/analysis/types';
import type { Report } from '../core/analysis/types';
import { rankStreams, type ReportHeader, type ReportStore } from './reportStore';

/** In-process ReportStore with the Table store's behaviour (JSON copies in and out). */
export class MemoryReportStore implements ReportStore {
  private readonly headers = new Map<string, string>();
  private readonly streams = new Map<string, Map<string, string>>();

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
}
