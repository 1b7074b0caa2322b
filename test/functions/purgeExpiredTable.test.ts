import { TableClient } from '@azure/data-tables';
import { InvocationContext } from '@azure/functions';

import { purgeExpired } from '../../src/functions/retention/purgeExpired';
import { createStores } from '../../src/storage/createStores';
import { TableAlertStore } from '../../src/storage/table/TableAlertStore';
import { TableReportStore } from '../../src/storage/table/TableReportStore';
import { alert } from '../storage/reportAlertContract';
import { startTableAzurite, type TableAzurite } from '../storage/startTableAzurite';
import { closedWindowRow } from '../support/closedWindowRow';

const DAY = 86_400_000;

let azurite: TableAzurite;
beforeAll(async () => {
  azurite = await startTableAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('purgeExpired on Table stores (Azurite)', () => {
  it('purges each table by its retention and keeps what is within it', async () => {
    const prefix = `p${process.pid}x`;
    const env = { AzureWebJobsStorage: azurite.connectionString };
    const stores = createStores(env, { tablePrefix: prefix });
    const table = async (name: string) => {
      const client = TableClient.fromConnectionString(azurite.connectionString, `${prefix}${name}`, {
        allowInsecureConnection: true,
      });
      await client.createTable();
      return client;
    };
    const [reportsTable, alertsTable] = await Promise.all([table('Reports'), table('Alerts')]);
    const reports = new TableReportStore(async () => reportsTable);
    const alerts = new TableAlertStore(async () => alertsTable);
    // The run's clock is 100 days ahead: rows written now are 100 days old to it.
    const now = Date.now() + 100 * DAY;
    const iso = (ms: number) => new Date(ms).toISOString();
    const dl = (sequenceNumber: number, enqueuedTime: string) => ({
      raw: 'x',
      reason: 'schema',
      detail: 'd',
      partition: '0',
      sequenceNumber,
      enqueuedTime,
      recordedAt: enqueuedTime,
    });
    const metrics = (at: string) => ({
      at,
      partition: '0',
      eventsIn: 1,
      aggregated: 1,
      filtered: 0,
      deadLettered: 0,
      entityOperations: 1,
      processingMs: 1,
    });
    const header = (generatedAt: string) => ({
      pipeline: 'p',
      from: generatedAt,
      to: generatedAt,
      generatedAt,
      analyses: [],
      streamCount: 1,
      anomalyCount: 0,
      ranking: [],
      correlations: [],
    });
    await stores.windows.upsert('p|s', [closedWindowRow(now, now + 1)]); // written 100 days before the run, whatever its start
    await alerts.insertNew([alert()]);
    await stores.deadLetters.add([dl(1, iso(now - 31 * DAY)), dl(2, iso(now - 29 * DAY))]);
    await stores.ingestMetrics.recordAll([metrics(iso(now - 8 * DAY)), metrics(iso(now - 6 * DAY))]);
    await reports.putHeader('old', header(iso(now - 91 * DAY)));
    await reports.putStreams('new', [{ stream: 's', windows: 1, maxSeverity: 0 } as never]);
    await reports.putHeader('new', header(iso(now - 89 * DAY)));

    const context = new InvocationContext({
      functionName: 'purgeExpired',
      invocationId: 't',
      logHandler: () => undefined,
    });
    const result = await purgeExpired(context, {
      windows: stores.windows,
      deadLetters: stores.deadLetters,
      ingestMetrics: stores.ingestMetrics,
      reports,
      alerts,
      retention: {
        windowRetentionMs: 90 * DAY,
        deadLetterRetentionMs: 30 * DAY,
        metricsRetentionMs: 7 * DAY,
        reportRetentionMs: 90 * DAY,
      },
      now: () => now,
    });
    expect(result).toEqual({
      windows: { deleted: 1, more: false },
      deadLetters: { deleted: 1, more: false },
      ingestMetrics: { deleted: 1, more: false },
      reports: { deleted: 1, more: false },
      alerts: { deleted: 1, more: false },
    });
    expect((await stores.windows.query('p|s')).items).toEqual([]);
    expect((await stores.deadLetters.query()).items.map((d) => d.sequenceNumber)).toEqual([2]);
    expect((await stores.ingestMetrics.recent(0)).map((r) => r.minute.slice(0, 16))).toEqual([
      iso(now - 6 * DAY).slice(0, 16),
    ]);
    expect(await reports.get('old')).toBeUndefined();
    expect((await reports.get('new'))?.streams).toHaveLength(1);
    expect((await alerts.query()).items).toEqual([]);
  });
});
