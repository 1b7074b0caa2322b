import { odata, type TableClient } from '@azure/data-tables';

import type { Report, StreamResult } from '../core/analysis/types';
import { joinText, splitText } from './chunkedText';
import { encodeKey } from './encodeKey';
import { rankStreams, type ReportHeader, type ReportStore } from './reportStore';
import { allEntities } from './table/firstPage';
import { submitInBatches } from './table/submitInBatches';

const HEADER_ROW = 'header';
const STREAM_ROW = 'stream|';

/** PartitionKey = encoded report id; RowKey "header" or "stream|{encoded stream}"; JSON in chunked `json` text. */
export class TableReportStore implements ReportStore {
  constructor(private readonly client: () => Promise<TableClient>) {}

  async putStreams(reportId: string, results: StreamResult[]): Promise<void> {
    if (results.length === 0) return;
    const pk = encodeKey(reportId);
    const entities = results.map((r) => ({ partitionKey: pk, rowKey: STREAM_ROW + encodeKey(r.stream), ...splitText('json', JSON.stringify(r)) }));
    await submitInBatches(await this.client(), entities, 'Replace');
  }

  async putHeader(reportId: string, header: ReportHeader): Promise<void> {
    const entity = { partitionKey: encodeKey(reportId), rowKey: HEADER_ROW, ...splitText('json', JSON.stringify(header)) };
    await (await this.client()).upsertEntity(entity, 'Replace');
  }

  async get(reportId: string): Promise<Report | undefined> {
    const rows = await allEntities(await this.client(), odata`PartitionKey eq ${encodeKey(reportId)}`);
    const header = rows.find((e) => e.rowKey === HEADER_ROW);
    if (!header) return undefined;
    const streams = rows.filter((e) => e.rowKey?.startsWith(STREAM_ROW)).map((e) => JSON.parse(joinText('json', e)) as StreamResult);
    return { ...(JSON.parse(joinText('json', header)) as ReportHeader), streams: rankStreams(streams) };
  }
}
