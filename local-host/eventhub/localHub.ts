import * as fs from 'node:fs';
import * as path from 'node:path';

import { configError } from '../errors';
import { type CheckpointStore, FileCheckpointStore, MemoryCheckpointStore } from './checkpointStore';
import { FilePartitionLog, type FsyncPolicy } from './filePartitionLog';
import { MemoryPartitionLog } from './memoryPartitionLog';
import { partitionForKey } from './partitionForKey';
import type { NewEvent, PartitionLog } from './types';

export interface AppendResult {
  accepted: number;
  /** Events accepted per partition id. */
  partitions: Record<string, number>;
}

export interface LocalHubOptions {
  name: string;
  partitionCount: number;
  /** Persist under this folder; in memory when undefined. */
  dir?: string;
  fsync?: FsyncPolicy;
  onWarning?: (message: string) => void;
}

/**
 * One local event hub: N partition logs, producers' routing (explicit partition id, else the partition
 * key's stable hash, else round robin per event) and wake-ups for consumers waiting at the tail.
 */
export class LocalHub {
  readonly name: string;
  readonly partitions: PartitionLog[];
  readonly checkpoints: CheckpointStore;
  private roundRobin = 0;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(options: LocalHubOptions) {
    this.name = options.name;
    let count = options.partitionCount;
    if (options.dir) {
      count = fixPartitionCount(options.dir, options.name, count);
      this.partitions = Array.from(
        { length: count },
        (_, i) =>
          new FilePartitionLog(String(i), path.join(options.dir as string, String(i)), {
            fsync: options.fsync,
            onTruncate: options.onWarning,
          }),
      );
      this.checkpoints = new FileCheckpointStore(path.join(options.dir, 'checkpoints'));
    } else {
      this.partitions = Array.from({ length: count }, (_, i) => new MemoryPartitionLog(String(i)));
      this.checkpoints = new MemoryCheckpointStore();
    }
  }

  partition(partitionId: string): PartitionLog | undefined {
    return /^\d+$/.test(partitionId) ? this.partitions[Number(partitionId)] : undefined;
  }

  private route(event: NewEvent): PartitionLog {
    if (event.partitionId !== undefined) {
      const log = this.partition(event.partitionId);
      if (!log)
        throw new RangeError(
          `Event hub "${this.name}" has partitions 0-${this.partitions.length - 1}; partition id ${JSON.stringify(event.partitionId)} does not exist.`,
        );
      return log;
    }
    if (event.partitionKey !== undefined && event.partitionKey !== null)
      return this.partitions[partitionForKey(event.partitionKey, this.partitions.length)] as PartitionLog;
    const log = this.partitions[this.roundRobin % this.partitions.length] as PartitionLog;
    this.roundRobin = (this.roundRobin + 1) % this.partitions.length;
    return log;
  }

  /** Appends in order; resolves once the events are durable (per fsync policy) and consumers were woken. */
  async append(events: readonly NewEvent[], now = new Date()): Promise<AppendResult> {
    const groups = new Map<PartitionLog, NewEvent[]>();
    // Route everything first so a bad partition id rejects the whole request, not half of it.
    for (const event of events) {
      const log = this.route(event);
      const group = groups.get(log);
      if (group) group.push(event);
      else groups.set(log, [event]);
    }
    const partitions: Record<string, number> = {};
    for (const [log, group] of groups) {
      log.append(
        group.map((e) => ({ body: e.body, partitionKey: e.partitionKey ?? null, properties: e.properties ?? {} })),
        now,
      );
      partitions[log.partitionId] = group.length;
    }
    await Promise.all([...groups.keys()].map((log) => log.flush()));
    for (const log of groups.keys()) this.wake(log.partitionId);
    return { accepted: events.length, partitions };
  }

  private wake(partitionId: string): void {
    const set = this.waiters.get(partitionId);
    if (!set) return;
    this.waiters.delete(partitionId);
    for (const resolve of set) resolve();
  }

  /** Resolves when events are appended to the partition, `timeoutMs` passes or `signal` aborts. */
  waitForEvents(partitionId: string, signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      let set = this.waiters.get(partitionId);
      if (!set) this.waiters.set(partitionId, (set = new Set()));
      const waiters = set;
      const done = (): void => {
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    for (const log of this.partitions) log.close();
  }
}

/** A hub keeps the partition count it was created with: keys map to partitions through it. */
function fixPartitionCount(dir: string, name: string, wanted: number): number {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'hub.json');
  if (fs.existsSync(file)) {
    const stored = (JSON.parse(fs.readFileSync(file, 'utf8')) as { partitionCount?: unknown }).partitionCount;
    if (typeof stored === 'number' && stored !== wanted) {
      throw configError(
        `Local event hub "${name}" in ${dir} was created with ${stored} partitions but ${wanted} are configured. Set LocalEventHub__PartitionCount to ${stored}, or delete ${dir} to start the hub afresh.`,
      );
    }
    return wanted;
  }
  fs.writeFileSync(file, `${JSON.stringify({ name, partitionCount: wanted })}\n`);
  return wanted;
}
