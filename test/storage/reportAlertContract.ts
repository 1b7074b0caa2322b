import type { StreamResult } from '../../src/core/analysis/types';
import { StorageInputError } from '../../src/storage/StorageInputError';
import type { AlertRecord, AlertStore, ReportHeader, ReportStore } from '../../src/storage/types';
import { clockBetweenWrites } from './storesContract';

export interface AnalysisStores {
  reports: ReportStore;
  alerts: AlertStore;
}

const header = (over: Partial<ReportHeader> = {}): ReportHeader => ({
  pipeline: 'p',
  from: '2025-01-01T00:00:00.000Z',
  to: '2025-01-02T00:00:00.000Z',
  generatedAt: '2025-01-02T00:00:05.000Z',
  analyses: ['summary', 'anomalies'],
  streamCount: 3,
  anomalyCount: 1,
  ranking: [{ stream: 'b', maxSeverity: 4, anomalies: 1, count: 10 }],
  correlations: [],
  ...over,
});

const result = (stream: string, maxSeverity: number, extra = ''): StreamResult =>
  ({ stream, windows: 2, maxSeverity, ...(extra ? { trend: null, note: extra } : {}) }) as StreamResult;

export const alert = (over: Partial<AlertRecord> = {}): AlertRecord => ({
  pipeline: 'p',
  stream: 's/1',
  reportId: 'r1',
  raisedAt: '2025-01-02T00:00:05.000Z',
  time: '2025-01-01T10:00:00.000Z',
  windowStart: '2025-01-01T10:00:00.000Z',
  windowEnd: '2025-01-01T10:01:00.000Z',
  score: 10,
  severity: 2.5,
  kind: 'spike',
  direction: 'up',
  method: 'ewma',
  value: 50,
  expected: 10,
  ...over,
});

/** One behaviour for the memory and Table variants of the Reports and Alerts stores (as createStores builds them). */
export function defineReportAlertContract(name: string, factory: () => Promise<AnalysisStores>): void {
  describe(`analysis stores: ${name}`, () => {
    let stores: AnalysisStores;
    beforeEach(async () => {
      stores = await factory();
    });

    it('assembles a report from its header and stream rows, ranked', async () => {
      expect(await stores.reports.get('run/1')).toBeUndefined();
      await stores.reports.putStreams('run/1', [result('a', 0), result('b', 4)]);
      await stores.reports.putStreams('run/1', [result('c#?', 1), result('a', 0, 'rewritten')]);
      expect(await stores.reports.get('run/1')).toBeUndefined(); // no header yet
      await stores.reports.putHeader('run/1', header());
      const report = (await stores.reports.get('run/1'))!;
      expect(report.ranking).toEqual(header().ranking);
      expect(report.streams.map((s) => s.stream)).toEqual(['b', 'c#?', 'a']);
      expect((report.streams[2] as unknown as { note: string }).note).toBe('rewritten');
      expect(await stores.reports.get('run/2')).toBeUndefined();
    });

    it('keeps stream results bigger than one table property', async () => {
      const big = {
        ...result('big', 1),
        anomalies: Array.from({ length: 400 }, (_, i) => ({ ...alert(), value: i })),
      } as StreamResult;
      await stores.reports.putStreams('r', [big]);
      await stores.reports.putHeader('r', header());
      expect((await stores.reports.get('r'))!.streams[0]).toEqual(big);
    });

    it("keeps each pipeline's latest report apart from the reports, untouched by their purge", async () => {
      expect(await stores.reports.latest('temps')).toBeUndefined();
      await stores.reports.setLatest('temps', { reportId: 'run/1' });
      // A pipeline named like a report's row keys must not be taken for one.
      await stores.reports.setLatest('header', { reportId: 'run/3', previousReportId: 'run/2' });
      await stores.reports.setLatest('temps', { reportId: 'run/2', previousReportId: 'run/1' });
      expect(await stores.reports.latest('temps')).toEqual({ reportId: 'run/2', previousReportId: 'run/1' });
      expect(await stores.reports.latest('header')).toEqual({ reportId: 'run/3', previousReportId: 'run/2' });
      expect(await stores.reports.latest('power')).toBeUndefined();
      expect(await stores.reports.get('latest')).toBeUndefined();
      expect(await stores.reports.purge('2999-01-01T00:00:00Z', 100)).toEqual({ deleted: 0, more: false });
      expect(await stores.reports.latest('header')).toEqual({ reportId: 'run/3', previousReportId: 'run/2' });
    });

    it('purges reports generated before the cutoff, stream rows first and the header last, bounded per call', async () => {
      await stores.reports.putStreams('old/1', [result('a', 0), result('b', 4), result('c', 1)]);
      await stores.reports.putHeader('old/1', header({ generatedAt: '2025-01-02T00:00:05.000Z' }));
      await stores.reports.putStreams('new', [result('a', 0)]);
      await stores.reports.putHeader('new', header({ generatedAt: '2025-03-01T00:00:00.000Z' }));
      // Limit 2: two of the three stream rows go, the header stays so that the next call finds the report again.
      expect(await stores.reports.purge('2025-02-01T00:00:00Z', 2)).toEqual({ deleted: 2, more: true });
      expect((await stores.reports.get('old/1'))?.streams).toHaveLength(1);
      expect(await stores.reports.purge('2025-02-01T00:00:00Z', 100)).toEqual({ deleted: 2, more: false });
      expect(await stores.reports.get('old/1')).toBeUndefined();
      expect((await stores.reports.get('new'))?.streams.map((s) => s.stream)).toEqual(['a']);
      expect(await stores.reports.purge('2025-02-01T00:00:00Z', 100)).toEqual({ deleted: 0, more: false });
      await expect(stores.reports.purge('soon', 1)).rejects.toThrow(/^before: expected an ISO 8601 time/);
      await expect(stores.reports.purge('2025-02-01T00:00:00Z', 0)).rejects.toThrow(
        /^limit: expected a positive integer, found 0/,
      );
    });

    it('purges alerts raised before the cutoff (by write time, not window start), bounded per call', async () => {
      await stores.alerts.insertNew([
        alert({ windowStart: '2025-01-01T10:00:00.000Z' }),
        alert({ windowStart: '2025-01-03T09:00:00.000Z' }),
      ]);
      const cutoff = new Date(await clockBetweenWrites()).toISOString();
      await stores.alerts.insertNew([
        alert({ windowStart: '2025-01-01T10:00:00.000Z', kind: 'outlier' }),
        alert({ windowStart: '2025-01-02T11:00:00.000Z' }),
      ]);
      expect(await stores.alerts.purge(cutoff, 1)).toEqual({ deleted: 1, more: true });
      expect(await stores.alerts.purge(cutoff, 10)).toEqual({ deleted: 1, more: false });
      expect((await stores.alerts.query()).items.map((a) => `${a.windowStart.slice(0, 13)} ${a.kind}`)).toEqual([
        '2025-01-01T10 outlier',
        '2025-01-02T11 spike',
      ]);
    });

    it('inserts each alert once and returns only the new ones', async () => {
      const first = await stores.alerts.insertNew([alert(), alert({ kind: 'outlier', method: 'robust-z' })]);
      expect(first).toHaveLength(2);
      const again = await stores.alerts.insertNew([alert({ severity: 9, reportId: 'r2' }), alert({ stream: 'other' })]);
      expect(again.map((a) => a.stream)).toEqual(['other']);
      const all = await stores.alerts.query();
      expect(all.items).toHaveLength(3);
      expect(all.items.find((a) => a.stream === 's/1' && a.kind === 'spike')!.reportId).toBe('r1');
    });

    it('queries by since, stream and pipeline, in time order, paged', async () => {
      await stores.alerts.insertNew([
        alert({ windowStart: '2025-01-03T00:00:00.000Z', time: '2025-01-03T00:00:00.000Z' }),
        alert({ windowStart: '2025-01-01T00:00:00.000Z' }),
        alert({ windowStart: '2025-01-02T12:00:00.000Z', stream: 'x' }),
        alert({ windowStart: '2025-01-02T13:00:00.000Z', pipeline: 'q' }),
      ]);
      const since = await stores.alerts.query({ since: '2025-01-02T12:00:00Z' });
      expect(since.items.map((a) => a.windowStart)).toEqual([
        '2025-01-02T12:00:00.000Z',
        '2025-01-02T13:00:00.000Z',
        '2025-01-03T00:00:00.000Z',
      ]);
      expect((await stores.alerts.query({ stream: 'x' })).items.map((a) => a.stream)).toEqual(['x']);
      expect((await stores.alerts.query({ pipeline: 'q' })).items).toHaveLength(1);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await stores.alerts.query({ limit: 3, ...(token ? { continuationToken: token } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((a) => a.windowStart));
        token = page.continuationToken;
      } while (token);
      expect(seen).toHaveLength(4);
    });

    it('rejects a bad since with a clear error', async () => {
      await expect(stores.alerts.query({ since: 'yesterday' })).rejects.toThrow(StorageInputError);
      await expect(stores.alerts.query({ since: 'yesterday' })).rejects.toThrow('since: expected an ISO 8601 time');
    });
  });
}
