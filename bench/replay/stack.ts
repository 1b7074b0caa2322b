import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startAzurite } from '../../local-host/azurite/startAzurite';
import { startLocalStorage, type TableStoreKind } from '../../local-host/tables/startLocalStorage';
import { type HostChild, startHostChild } from '../e2e/hostChild';
import { portsOf, startStorageProxy, type StorageProxy } from '../e2e/storageProxy';

/** The app on the local host, as bench:e2e runs it: in-memory Azurite behind the counting proxy, SQLite durable store. */
export interface ReplayStack {
  baseUrl: string;
  host: HostChild;
  proxy: StorageProxy;
  stop(): Promise<void>;
}

export interface ReplayStackOptions {
  repoRoot: string;
  /** Local hub partitions (LocalEventHub__PartitionCount). */
  partitions: number;
  /** Extra app settings for the host. */
  env?: Record<string, string>;
  /** Arguments for the host's node (e.g. --cpu-prof: the profile is written when the stack stops). */
  nodeArgs?: string[];
  /**
   * What serves Table storage behind the counting proxy: Azurite in memory (default, as bench:e2e) or the embedded
   * SQLite table store `npm run local` uses (blobs and queues then from Azurite, which nothing here uses).
   */
  tables?: TableStoreKind;
}

/** Stacks not stopped yet, so an interrupted bench can stop its host and Azurite instead of leaving them running. */
const running = new Set<() => Promise<void>>();

export async function stopRunningStacks(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export async function startReplayStack(o: ReplayStackOptions): Promise<ReplayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const azurite = await (
    o.tables === 'embedded'
      ? startLocalStorage({ dataDir: join(dataDir, 'storage'), ports: 0, tables: 'embedded' })
      : startAzurite({ inMemory: true, ports: 0 })
  ).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const proxy = await startStorageProxy({ targets: portsOf(azurite) });
  let host: HostChild | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await host?.stop();
      await proxy.close();
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
      running.delete(stop);
    })());
  // Registered before the host starts: an interrupt while it starts must stop Azurite too.
  running.add(stop);
  try {
    host = await startHostChild({
      repoRoot: o.repoRoot,
      appDir: o.repoRoot,
      args: ['--no-azurite', '--store', 'sqlite', '--data-dir', join(dataDir, 'host')],
      env: {
        AzureWebJobsStorage: proxy.connectionString,
        EventHubConnection: 'UseLocalEventHub=true',
        LocalEventHub__PartitionCount: String(o.partitions),
        // As `npm run local` and infra set it: the hub's partitions hold a stream's windows until heard of.
        EVENTHUB_PARTITION_COUNT: String(o.partitions),
        ANALYSIS_SCHEDULE: '',
        // The pipeline PUT reaches ingest within a second.
        PIPELINE_REFRESH_SECONDS: '1',
        ...o.env,
      },
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl: host.baseUrl, host, proxy, stop };
}
