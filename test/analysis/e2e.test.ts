import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Report } from '../../src/core/analysis/types';
import { gaussian, mulberry32 } from '../../src/core/random/prng';
import type { AlertRecord } from '../../src/storage/types';
import { startTableAzurite, type TableAzurite } from '../storage/startTableAzurite';
import { fetchText, pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

/**
 * The whole path on the local host: events with planted anomalies go through the local event hub,
 * ingest and the stream entities into the Windows table; POST /api/analyses runs the orchestration;
 * the report ranks the planted streams first and the alerts are listed. Needs `npm run build`.
 */
const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);
const WINDOWS = 40;
const STREAMS = ['calm-a', 'calm-b', 'calm-c', 'hot', 'cold'];

function plantedEvents(): string {
  const g = gaussian(mulberry32(5));
  const lines: string[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    for (const stream of STREAMS) {
      for (let k = 0; k < 5; k++) {
        let value = 50 + 2 * g();
        if (stream === 'hot' && w === 20) value += 40;
        if (stream === 'cold' && w === 30) value -= 25;
        lines.push(JSON.stringify({ stream, time: new Date(T0 + w * 60_000 + k * 10_000).toISOString(), value }));
      }
    }
  }
  // One late-in-time event per stream moves every watermark past the last window.
  for (const stream of STREAMS)
    lines.push(JSON.stringify({ stream, time: new Date(T0 + 2 * 3_600_000).toISOString(), value: 50 }));
  return lines.join('\n') + '\n';
}

/**
 * The entity keeps each partition's latest partial unmerged (it may be redelivered), so the windows
 * close only when a newer batch of the same partition arrives: this is that batch.
 */
function flushEvents(): string {
  return (
    STREAMS.map((stream) =>
      JSON.stringify({ stream, time: new Date(T0 + 3 * 3_600_000).toISOString(), value: 50 }),
    ).join('\n') + '\n'
  );
}

let azurite: TableAzurite;
let host: HostProcess;
/** The analysis the first test started over HTTP: the determinism check below must have replayed it. */
let analysisId: string | undefined;

beforeAll(async () => {
  azurite = await startTableAzurite();
  // The schedule fires every second so the test sees repeated firings for the same hourly period.
  host = await startHostProcess({
    app: repoRoot,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      ANALYSIS_SCHEDULE: '*/1 * * * * *',
      ANALYSIS_PERIOD_MINUTES: '60',
    },
    timeoutMs: 60_000,
  });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

const getJson = async <T>(path: string): Promise<T> => {
  const res = await fetchText(`${host.baseUrl}/api/${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
};

it('ranks planted anomalies first in a report run over HTTP and lists their alerts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-e2e-'));
  // One partition key keeps event order, so no event arrives after its stream's watermark passed it.
  const send = async (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    await promisify(execFile)(
      process.execPath,
      [
        join(repoRoot, 'dist', 'tools', 'send', 'cli.js'),
        '--url',
        host.baseUrl,
        '--file',
        join(dir, name),
        '--partition-key',
        'all',
        '--no-progress',
      ],
      { cwd: repoRoot },
    );
  };
  await send('events.ndjson', plantedEvents());
  await pollUntil(
    async () => {
      for (const stream of STREAMS) {
        const view = await getJson<{ events: number }>(`streams/default/${stream}`).catch(() => undefined);
        if (!view || view.events < WINDOWS * 5 + 1) return undefined;
      }
      return true;
    },
    60_000,
    200,
  );
  await send('flush.ndjson', flushEvents());

  const from = new Date(T0).toISOString();
  const to = new Date(T0 + WINDOWS * 60_000).toISOString();
  await pollUntil(
    async () => {
      for (const stream of STREAMS) {
        const page = await getJson<{ items: unknown[] }>(
          `streams/default/${stream}/windows?from=${from}&to=${to}&limit=1000`,
        );
        if (page.items.length < WINDOWS) return undefined;
      }
      return true;
    },
    60_000,
    200,
  );

  const started = await fetchText(`${host.baseUrl}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pipeline: 'default', from, to }),
  });
  expect(started.status).toBe(202);
  const { id } = JSON.parse(started.text) as { id: string };
  analysisId = id;

  const done = await pollUntil(
    async () => {
      const status = await getJson<{
        runtimeStatus: string;
        report?: Report;
        progress: { chunksDone: number; chunksTotal: number };
      }>(`analyses/${id}`);
      if (status.runtimeStatus === 'Failed') throw new Error(`analysis failed: ${JSON.stringify(status)}`);
      return status.runtimeStatus === 'Completed' ? status : undefined;
    },
    60_000,
    200,
  );

  const report = done.report!;
  expect(done.progress.chunksDone).toBe(done.progress.chunksTotal);
  expect(report.streamCount).toBe(STREAMS.length);
  expect(
    report.ranking
      .slice(0, 2)
      .map((r) => r.stream)
      .sort(),
  ).toEqual(['cold', 'hot']);
  expect(
    report.streams
      .slice(0, 2)
      .map((s) => s.stream)
      .sort(),
  ).toEqual(['cold', 'hot']);
  const hot = report.streams.find((s) => s.stream === 'hot')!;
  expect(hot.summary!.count).toBe(WINDOWS * 5);
  expect(hot.anomalies!.some((a) => a.windowStart === new Date(T0 + 20 * 60_000).toISOString())).toBe(true);

  const alerts = await getJson<{ items: AlertRecord[] }>(`alerts?since=${from}`);
  expect(new Set(alerts.items.map((a) => a.stream))).toEqual(new Set(['cold', 'hot']));
  const listed = await getJson<{ items: { id: string }[] }>('analyses?status=Completed');
  expect(listed.items.map((r) => r.id)).toContain(id);
}, 180_000);

it('starts one scheduled analysis per period however often the timer fires', async () => {
  expect(host.output()).toContain('scheduleAnalysis');
  // A later firing finds the period's instance and leaves it alone.
  await host.waitForOutput(/Analysis analysis-default-\d{8}T\d{6}Z already exists; not starting it again/, 30_000);
  const runs = await getJson<{ items: { id: string }[] }>('analyses');
  const scheduled = runs.items.filter((r) => r.id.startsWith('analysis-default-'));
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('.000Z', 'Z');
  // Exactly one per period (two only if the test straddled an hour boundary).
  expect(scheduled.length).toBeGreaterThanOrEqual(1);
  expect(scheduled.length).toBeLessThanOrEqual(2);
  expect(new Set(scheduled.map((r) => r.id)).size).toBe(scheduled.length);
  expect(scheduled.map((r) => r.id)).toContain(`analysis-default-${hour}`);
}, 60_000);

// Issue #19: the orchestrator non-determinism check on the histories a real run recorded, not only the simulator's.
it('replays every orchestration the host recorded deterministically (npm run sim -- check-orchestrators)', async () => {
  const listed = (await getJson<{ items: { id: string }[] }>('analyses')).items.map((r) => r.id);
  // The host keeps its durable store (SQLite, the default) in its temp data dir; stop it so the store is closed.
  await host.stop();
  const stores = readdirSync(host.dataDir).filter((f) => /^durable-.*\.sqlite$/.test(f));
  expect(stores).toHaveLength(1);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [
        join(repoRoot, 'dist', 'tools', 'sim', 'cli.js'),
        'check-orchestrators',
        '--app',
        repoRoot,
        '--durable-store',
        join(host.dataDir, stores[0]!),
        '--json',
      ],
      { cwd: repoRoot, env: { ...process.env, AzureWebJobsStorage: azurite.connectionString } },
      (error, out, err) => resolve({ code: error ? Number(error.code) : 0, stdout: out, stderr: err }),
    ),
  );
  let result: { ok: boolean; checked: number; checks: { instanceId: string; name: string; ok: boolean }[] };
  try {
    result = JSON.parse(stdout) as typeof result;
  } catch {
    throw new Error(`expected the check's JSON report, found exit code ${code}, stdout ${stdout}, stderr ${stderr}`);
  }
  expect({ code, failed: result.checks.filter((c) => !c.ok) }).toEqual({ code: 0, failed: [] });
  expect(result.ok).toBe(true);
  // Every analysis the host lists (the one started over HTTP and the scheduled one) was replayed.
  expect(result.checked).toBeGreaterThan(0);
  expect(listed).toContain(analysisId);
  expect(listed.some((id) => id.startsWith('analysis-default-'))).toBe(true);
  expect(result.checks.map((c) => c.instanceId)).toEqual(expect.arrayContaining(listed));
}, 60_000);
