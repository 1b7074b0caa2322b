/**
 * End-to-end crash test of the Streamfold app on the local host (dist/, after `npm run build`): events stream
 * steadily into the local hub, the host is SIGKILLed mid-stream and restarted on the same data dir (sqlite durable
 * store) and the same Azurite; every stream's count and sum must equal exactly what was sent (effectively-once).
 *
 * Azurite runs on free ports behind a loopback proxy that delays requests to the IngestMetrics table: ingest signals
 * its entities and THEN waits for the previous batch's metrics write (ingestMetricsWriter) before the trigger
 * checkpoints, so the delay widens the "processed but not checkpointed" window in which a crash makes the hub
 * redeliver events the entities already hold. The test proves that window was hit (from the killed host's files)
 * instead of hoping for it.
 */

import { pollUntil } from '../support/fetchText';
import type { HostProcess } from '../support/startHostProcess';
import { type CrashStack, drain, type HubInfo, hubInfo, startCrashStack } from './crashKit';
import { readCheckpoints, readDurableSnapshot, type StreamTotals } from './durableSnapshot';
import { SteadySender } from './steadySender';

jest.setTimeout(120_000);

const streams = 7;
const partitions = ['0', '1', '2', '3'];
/** Delay of requests to the IngestMetrics table, whose previous write ingest awaits after signalling its entities and before the checkpoint. */
const metricsDelayMs = 150;

const checkpointed = (info: HubInfo): number =>
  info.partitions.reduce((sum, p) => sum + (p.consumers['$Default']?.checkpoint?.sequenceNumber ?? -1) + 1, 0);

interface StreamResponse {
  totals: { value?: { count: number; sum: number } };
  metrics: { conflicts: number; duplicates: number };
  partitions: {
    partition: string;
    committed: number;
    pending: { firstSequence: number; lastSequence: number } | null;
  }[];
}

async function streamView(baseUrl: string, stream: string): Promise<StreamResponse | undefined> {
  const res = await fetch(`${baseUrl}/api/streams/default/${stream}`);
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET stream ${stream}: ${res.status} ${text}`);
  return JSON.parse(text) as StreamResponse;
}

async function readStreams(baseUrl: string): Promise<Map<string, StreamResponse | undefined>> {
  const out = new Map<string, StreamResponse | undefined>();
  for (let s = 0; s < streams; s++) out.set(`s-${s}`, await streamView(baseUrl, `s-${s}`));
  return out;
}

const totalsOf = (views: Map<string, StreamResponse | undefined>): Record<string, StreamTotals> =>
  Object.fromEntries(
    [...views].map(([stream, v]) => [stream, { count: v?.totals.value?.count ?? 0, sum: v?.totals.value?.sum ?? 0 }]),
  );

/**
 * Polls the live state until every stream equals `expected` on several consecutive reads (the entities may still be
 * working through queued signals). Overshooting a count is a double count: fail at once with the numbers.
 */
async function settleOn(
  baseUrl: string,
  expected: Map<string, StreamTotals>,
): Promise<Map<string, StreamResponse | undefined>> {
  const want = Object.fromEntries([...expected].sort(([a], [b]) => a.localeCompare(b)));
  let stableReads = 0;
  let last: Map<string, StreamResponse | undefined> | undefined;
  await pollUntil(
    async () => {
      last = await readStreams(baseUrl);
      const got = totalsOf(last);
      for (const [stream, t] of Object.entries(got)) {
        const w = want[stream];
        if (w && t.count > w.count)
          throw new Error(`Stream ${stream} counts ${t.count} events but only ${w.count} were sent (double counting).`);
      }
      stableReads = JSON.stringify(got) === JSON.stringify(want) ? stableReads + 1 : 0;
      return stableReads >= 5 ? true : undefined;
    },
    60_000,
    100,
  ).catch((err: Error) => {
    throw new Error(
      `${err.message}\nexpected ${JSON.stringify(want)}\nfound    ${JSON.stringify(last && totalsOf(last))}`,
    );
  });
  return last!;
}

/** The first "ingest partition <p>: <n> events ... sequences <a>-<b>" line per partition in a host's output (the range when logged). */
function firstBatches(output: string): Map<string, { size: number; first?: number; last?: number }> {
  const out = new Map<string, { size: number; first?: number; last?: number }>();
  for (const m of output.matchAll(/ingest partition (\S+): (\d+) events[^\n]*?(?:sequences (\d+)-(\d+))?\)?$/gm)) {
    if (out.has(m[1]!)) continue;
    out.set(m[1]!, { size: Number(m[2]), ...(m[3] === undefined ? {} : { first: Number(m[3]), last: Number(m[4]) }) });
  }
  return out;
}

describe('Streamfold on the local host: SIGKILL mid-stream, restart, drain', () => {
  let stack: CrashStack | undefined;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    stack = await startCrashStack('e2e-crash-', (service, _method, path) =>
      service === 'table' && path.includes('IngestMetrics') ? metricsDelayMs : 0,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts every event exactly once, and the first batch after the restart re-covers events processed before the crash without changing the aggregates', async () => {
    const { dataDir } = stack!;
    const start = (): Promise<HostProcess> => stack!.startHost();
    host = await start();
    const sender = new SteadySender({ streams, batch: 100, intervalMs: 40 }, host.baseUrl);
    sender.start();

    // Crash once some batches are processed and checkpointed, at a moment when a stream entity already holds
    // events of a batch that is not checkpointed yet (its invocation is writing to Table storage) and more are in flight.
    await pollUntil(
      async () => {
        const [info, view] = await Promise.all([hubInfo(host!.baseUrl), streamView(host!.baseUrl, 's-0')]);
        if (checkpointed(info) < 1500 || !info.consumers.every((c) => c.unprocessed > 0)) return undefined;
        const checkpointOf = (p: string): number =>
          info.partitions.find((x) => x.partitionId === p)?.consumers['$Default']?.checkpoint?.sequenceNumber ?? -1;
        return view?.partitions.some((p) => (p.pending?.lastSequence ?? -1) > checkpointOf(p.partition))
          ? true
          : undefined;
      },
      60_000,
      10,
    );
    await sender.pause();
    await host.kill();
    const sentBeforeCrash = sender.count;
    const sentAtCrash = new Map(sender.sent);

    // What the killed host left behind: checkpoints and the durable store (entity states + queued signals).
    const checkpoints = readCheckpoints(dataDir, partitions);
    const snapshot = readDurableSnapshot(dataDir);
    const checkpointedEvents = [...checkpoints.values()].reduce((sum, c) => sum + c + 1, 0);
    expect(checkpointedEvents).toBeGreaterThanOrEqual(1500);
    // More was in flight: accepted by the hub but not checkpointed.
    expect(sentBeforeCrash).toBeGreaterThan(checkpointedEvents);
    // Events past a checkpoint had already reached the durable side: the restart must deliver them again.
    const beyond = partitions.filter((p) => (snapshot.receivedThrough.get(p) ?? -1) > (checkpoints.get(p) ?? -1));
    expect(beyond.length).toBeGreaterThan(0);
    // Nothing at the crash exceeds what was sent (the entities hold at most every event once).
    for (const [key, t] of snapshot.streams)
      expect(t.count).toBeLessThanOrEqual(sentAtCrash.get(key.replace(/^default\|/, ''))?.count ?? 0);

    // Restart on the same data dir and Azurite; let it redeliver from the checkpoints before sending more.
    host = await start();
    await drain(host.baseUrl, sentBeforeCrash);
    const first = firstBatches(host.output());
    for (const p of beyond) {
      // The first batch of partition p starts at checkpoint + 1 and covers what the durable side already held.
      const batch = first.get(p);
      const checkpoint = checkpoints.get(p) ?? -1;
      expect(batch).toBeDefined();
      if (batch?.first !== undefined) expect(batch.first).toBe(checkpoint + 1);
      const last = batch?.last ?? checkpoint + (batch?.size ?? 0);
      expect(last).toBeGreaterThanOrEqual(snapshot.receivedThrough.get(p) ?? 0);
    }
    // ... and the aggregates are exactly what was sent before the crash: the re-covered events did not count twice.
    const afterRedelivery = await settleOn(host.baseUrl, sentAtCrash);
    for (const view of afterRedelivery.values()) expect(view?.metrics.conflicts).toBe(0);

    // Keep streaming the rest, then drain and check every stream exactly.
    sender.start(host.baseUrl, sentBeforeCrash + 2000);
    await sender.finished();
    await drain(host.baseUrl, sender.count);
    const final = await settleOn(host.baseUrl, sender.sent);
    expect(sender.count).toBe(sentBeforeCrash + 2000);
    expect([...sender.sent.values()].reduce((n, t) => n + t.count, 0)).toBe(sender.count);
    for (const [stream, want] of sender.sent) {
      const view = final.get(stream);
      expect({
        stream,
        count: view?.totals.value?.count,
        sum: view?.totals.value?.sum,
        conflicts: view?.metrics.conflicts,
      }).toEqual({ stream, count: want.count, sum: want.sum, conflicts: 0 });
    }
  });
});
