import { type RunningAzurite, startAzurite } from '../../local-host/azurite/startAzurite';
import { pollUntil } from '../support/fetchText';
import { repoRoot } from '../support/repoRoot';
import { type HostProcess, startHostProcess } from '../support/startHostProcess';

export interface Stack {
  azurite: RunningAzurite;
  host: HostProcess;
  api: (path: string, init?: RequestInit) => Promise<ApiResponse>;
  /** Every body sent, per partition id, in append (= sequence number) order. */
  sent: Map<string, string[]>;
  /** Appends events with explicit partitions; resolves once the ingest function has been through all of them. */
  send(events: { body: string; partition: number }[]): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  contentType: string;
  json: unknown;
}

export const PARTITIONS = 4;

/**
 * One Azurite (in memory, free ports) and the Streamfold app on the local host (built dist/, durable store in memory,
 * its embedded Azurite off), talking to each other as in Azure: AzureWebJobsStorage points at that Azurite.
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const azurite = await startAzurite({ inMemory: true, ports: 0 });
  let host: HostProcess;
  try {
    host = await startHostProcess({
      app: repoRoot,
      args: ['--store', 'memory', '--no-azurite'],
      env: { AzureWebJobsStorage: azurite.connectionString, PIPELINE_REFRESH_SECONDS: '1', ...env },
      timeoutMs: 60_000,
    });
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  const api = async (path: string, init?: RequestInit): Promise<ApiResponse> => {
    const res = await fetch(`${host.baseUrl}${path}`, init);
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
  const sent = new Map<string, string[]>();
  const send = async (events: { body: string; partition: number }[]): Promise<void> => {
    const res = await fetch(`${host.baseUrl}/runtime/eventhubs/events/events?envelope=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events.map((e) => ({ body: e.body, partitionId: String(e.partition) }))),
    });
    if (res.status !== 200) throw new Error(`sending events failed: ${res.status} ${await res.text()}`);
    for (const e of events) {
      const list = sent.get(String(e.partition)) ?? [];
      list.push(e.body);
      sent.set(String(e.partition), list);
    }
    const total = [...sent.values()].reduce((n, l) => n + l.length, 0);
    await pollUntil(async () => {
      const hub = (await api('/runtime/eventhubs/events')).json as {
        events: number;
        consumers: { unprocessed: number }[];
      };
      return hub.events === total && hub.consumers.every((c) => c.unprocessed === 0) ? true : undefined;
    }, 60_000);
  };
  return {
    azurite,
    host,
    api,
    sent,
    send,
    async stop() {
      await host.kill().catch(() => undefined);
      await azurite.stop();
    },
  };
}

export interface LoggedBatch {
  partition: string;
  events: number;
  aggregated: number;
  filtered: number;
  deadLettered: number;
  entityOperations: number;
  /** Of those, `commit` operations (streams of the partition's previous batch absent from this one). */
  commits: number;
  pipelines: string[];
  firstSequence: number;
  lastSequence: number;
}

/** The ingest function's one log line per batch, in the order the host printed them. */
export function loggedBatches(output: string): LoggedBatch[] {
  const re =
    /ingest partition (\S+): (\d+) events, (\d+) aggregated, (\d+) filtered, (\d+) dead-lettered, (\d+) entity operations \((\d+) commits; pipelines (\S*); sequences (-?\d+)-(-?\d+)\)/g;
  return [...output.matchAll(re)].map((m) => ({
    partition: m[1]!,
    events: Number(m[2]),
    aggregated: Number(m[3]),
    filtered: Number(m[4]),
    deadLettered: Number(m[5]),
    entityOperations: Number(m[6]),
    commits: Number(m[7]),
    pipelines: m[8] ? m[8].split(',') : [],
    firstSequence: Number(m[9]),
    lastSequence: Number(m[10]),
  }));
}

/**
 * The entity operations each logged batch must have sent, from what was sent: one merge per (pipeline, stream) of the
 * batch, plus one commit per (pipeline, stream) of the partition's previous batch (this host process) absent from it.
 */
export function expectedOperations(
  batches: readonly LoggedBatch[],
  sent: ReadonlyMap<string, readonly string[]>,
): { merges: number; commits: number }[] {
  const previous = new Map<string, { last: number; keys: Set<string> }>();
  return batches.map((b) => {
    const bodies = sent.get(b.partition)!.slice(b.firstSequence, b.lastSequence + 1);
    const streams = new Set<string>();
    for (const body of bodies) {
      try {
        const parsed = JSON.parse(body) as { stream?: unknown };
        if (typeof parsed.stream === 'string') streams.add(parsed.stream);
      } catch {
        // not JSON: no stream, no entity operation
      }
    }
    const keys = new Set(b.pipelines.flatMap((p) => [...streams].map((s) => `${p}|${s}`)));
    const prev = previous.get(b.partition);
    const commits = prev && b.firstSequence > prev.last ? [...prev.keys].filter((k) => !keys.has(k)).length : 0;
    previous.set(b.partition, { last: b.lastSequence, keys });
    return { merges: keys.size, commits };
  });
}

/** Polls an API call (after `beforeEachTry`, e.g. sending a probe) until `accept` returns a value; the last response is in the error on timeout. */
export async function pollApi<T>(
  stack: Stack,
  path: string,
  accept: (r: ApiResponse) => T | undefined,
  timeoutMs = 60_000,
  beforeEachTry?: () => Promise<void>,
): Promise<T> {
  let last: ApiResponse | undefined;
  try {
    return await pollUntil(
      async () => {
        await beforeEachTry?.();
        last = await stack.api(path);
        return accept(last);
      },
      timeoutMs,
      100,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last answer of ${path}: ${JSON.stringify(last)?.slice(0, 2000)}`);
  }
}

/** Deterministic PRNG (the project's one mulberry32) so a failure can be reproduced. */
export { mulberry32 as prng } from '../../src/core/random/prng';

/** The sketch's quantile definition (DDSketch getValueAtQuantile): the value of rank floor(q * (n - 1)). */
export function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

export interface Stats {
  count: number;
  sum: number;
  min: number;
  max: number;
  sorted: number[];
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: values.length,
    sum: values.reduce((s, v) => s + v, 0),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    sorted,
  };
}
