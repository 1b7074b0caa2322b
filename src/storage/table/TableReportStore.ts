import { odata, type TableClient } from '@azure/data-tables';

import type { Report, StreamResult } from '../../core/analysis/types';
import { joinText, splitText } from '../chunkedText';
import { encodeKey } from '../encodeKey';
import { normalizeIso } from '../normalizeIso';
import { purgeLimit } from '../purgeArgs';
import { rankStreams } from '../rankStreams';
import type { LatestReport, PurgeResult, ReportHeader, ReportStore } from '../types';
import { deleteMatching } from './deleteMatching';
import { allEntities } from './firstPage';
import { submitInBatches } from './submitInBatches';
import { statusOf } from './tableErrors';

const HEADER_ROW = 'header';
const STREAM_ROW = 'stream|';
/** The per-pipeline pointers' partition: encodeKey never makes '%l' (it writes '%' only as '%' + two hex digits). */
const LATEST_PARTITION = '%latest';
const LATEST_ROW = 'pipeline|';

/**
 * PartitionKey = encoded report id; RowKey "header" or "stream|{encoded stream}"; JSON in chunked `json` text. Each
 * pipeline's latest-report pointer: PartitionKey "%latest", RowKey "pipeline|{encoded pipeline}".
 */
export class TableReportStore implements ReportStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async putStreams(reportId: string, results: StreamResult[]): Promise<void> {
    if (results.length === 0) return;
    const pk = encodeKey(reportId);
    const entities = results.map((r) => ({
      partitionKey: pk,
      rowKey: STREAM_ROW + encodeKey(r.stream),
      ...splitText('json', JSON.stringify(r)),
    }));
    await submitInBatches(await this.client(), entities, 'Replace');
  }

  async latest(pipeline: string): Promise<LatestReport | undefined> {
    try {
      const e = await (
        await this.client()
      ).getEntity<Record<string, unknown>>(LATEST_PARTITION, LATEST_ROW + encodeKey(pipeline));
      return {
        reportId: String(e.reportId),
        ...(typeof e.previousReportId === 'string' ? { previousReportId: e.previousReportId } : {}),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async setLatest(pipeline: string, latest: LatestReport): Promise<void> {
    await (
      await this.client()
    ).upsertEntity(
      {
        partitionKey: LATEST_PARTITION,
        rowKey: LATEST_ROW + encodeKey(pipeline),
        reportId: latest.reportId,
        ...(latest.previousReportId !== undefined ? { previousReportId: latest.previousReportId } : {}),
      },
      'Replace',
    );
  }

  async putHeader(reportId: string, header: ReportHeader): Promise<void> {
    // generatedAt as its own property so that the purge reads it without parsing the JSON.
    const entity = {
      partitionKey: encodeKey(reportId),
      rowKey: HEADER_ROW,
      generatedAt: header.generatedAt,
      ...splitText('json', JSON.stringify(header)),
    };
    await (await this.client()).upsertEntity(entity, 'Replace');
  }

  async get(reportId: string): Promise<Report | undefined> {
    const rows = await allEntities(await this.client(), odata`PartitionKey eq ${encodeKey(reportId)}`);
    const header = rows.find((e) => e.rowKey === HEADER_ROW);
    if (!header) return undefined;
    const streams = rows
      .filter((e) => e.rowKey?.startsWith(STREAM_ROW))
      .map((e) => JSON.parse(joinText('json', e)) as StreamResult);
    return { ...(JSON.parse(joinText('json', header)) as ReportHeader), streams: rankStreams(streams) };
  }

  /** Reads the header rows (a scan: one per report), then deletes each expired report's partition, header last. */
  async purge(before: string, limit: number): Promise<PurgeResult> {
    const cutoff = normalizeIso('before', before);
    let left = purgeLimit(limit);
    const client = await this.client();
    let deleted = 0;
    for await (const header of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq ${HEADER_ROW}` },
    })) {
      const generatedAt =
        typeof header.generatedAt === 'string'
          ? header.generatedAt
          : (JSON.parse(joinText('json', header)) as ReportHeader).generatedAt;
      if (normalizeIso('generatedAt', generatedAt) >= cutoff) continue;
      if (left === 0) return { deleted, more: true };
      const pk = String(header.partitionKey);
      const rows = await deleteMatching(client, odata`PartitionKey eq ${pk} and RowKey ne ${HEADER_ROW}`, left);
      deleted += rows.deleted;
      left -= rows.deleted;
      if (rows.more || left === 0) return { deleted, more: true };
      try {
        await client.deleteEntity(pk, HEADER_ROW);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      deleted += 1;
      left -= 1;
    }
    return { deleted, more: false };
  }
}
