import * as fs from 'node:fs';
import * as path from 'node:path';

import { HostSystemError } from '../errors';
import type { Checkpoint } from './types';

export interface CheckpointStore {
  get(consumerGroup: string, partitionId: string): Checkpoint | undefined;
  /** Resolves once the checkpoint is what a restarted host process resumes from. */
  set(consumerGroup: string, partitionId: string, checkpoint: Checkpoint): Promise<void>;
  /** Resolves once every checkpoint set so far would also survive a power loss; rejects with a failed background sync. */
  flush(): Promise<void>;
}

export class MemoryCheckpointStore implements CheckpointStore {
  private readonly map = new Map<string, Checkpoint>();
  get(group: string, partition: string): Checkpoint | undefined {
    return this.map.get(`${group}/${partition}`);
  }
  set(group: string, partition: string, checkpoint: Checkpoint): Promise<void> {
    this.map.set(`${group}/${partition}`, checkpoint);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Consumer group names may hold characters a file name cannot. */
const safe = (name: string): string => encodeURIComponent(name).replace(/\*/g, '%2A');

/**
 * Checkpoints as `<dir>/<consumer group>/<partition>.json`, written to a temp file and renamed over the old one, so a
 * crash leaves either the old or the new checkpoint, never half of one.
 *
 * `set` returns once the rename is done: from then on a restarted process resumes after it, which is the order the
 * effectively-once scheme needs (a stream entity that sees batch N+1 commits batch N, so N must be checkpointed before
 * N+1 is delivered; src/core/state mergePartial). The fsync that makes it survive a power loss too (160-250 ms on a
 * busy disk, longer than a batch) runs in the background, one per file at a time, the checkpoints renamed meanwhile
 * coalescing into its next round; `flush` (the pump's stop) waits for it. A power loss can thus cost at most the
 * checkpoints of the last sync round, as the SQLite durable store (WAL, synchronous=NORMAL) can lose its last commits.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly cache = new Map<string, Checkpoint>();
  private readonly dirs = new Set<string>();
  /** Files renamed since their last sync started. */
  private readonly dirty = new Set<string>();
  private syncing: Promise<void> | undefined;
  private syncFailure: unknown;

  constructor(private readonly dir: string) {}

  private file(group: string, partition: string): string {
    return path.join(this.dir, safe(group), `${safe(partition)}.json`);
  }

  get(group: string, partition: string): Checkpoint | undefined {
    const file = this.file(group, partition);
    const cached = this.cache.get(file);
    if (cached) return cached;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = JSON.parse(text) as Partial<Checkpoint>;
    if (typeof parsed.sequenceNumber !== 'number' || typeof parsed.offset !== 'string') {
      throw new HostSystemError(`Checkpoint ${file} should hold {"sequenceNumber":<number>,"offset":"<string>"}; found ${text.slice(0, 200)}`);
    }
    const checkpoint = { sequenceNumber: parsed.sequenceNumber, offset: parsed.offset, updatedAt: String(parsed.updatedAt ?? '') };
    this.cache.set(file, checkpoint);
    return checkpoint;
  }

  /** The cache (what `get` and the hub view report) moves once the file is renamed: it is what a restart resumes from. */
  set(group: string, partition: string, checkpoint: Checkpoint): Promise<void> {
    const file = this.file(group, partition);
    try {
      // Synchronous on purpose: a ~0.1 ms write to the page cache, which through the promise API would queue in
      // libuv's thread pool behind the hub log's and this store's fsyncs.
      const dir = path.dirname(file);
      if (!this.dirs.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        this.dirs.add(dir);
      }
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, `${JSON.stringify(checkpoint)}\n`, 'utf8');
      fs.renameSync(temp, file);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.cache.set(file, checkpoint);
    this.dirty.add(file);
    this.syncing ??= this.syncInBackground();
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    while (this.syncing) await this.syncing;
    const failure = this.syncFailure;
    this.syncFailure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Syncs the dirty files (and their directories, for the rename) in rounds until none is left; never rejects. */
  private async syncInBackground(): Promise<void> {
    try {
      while (this.dirty.size > 0) {
        const files = [...this.dirty];
        this.dirty.clear();
        const dirs = [...new Set(files.map((f) => path.dirname(f)))];
        const outcomes = await Promise.allSettled([...files.map((f) => syncPath(f, false)), ...dirs.map((d) => syncPath(d, true))]);
        for (const o of outcomes) if (o.status === 'rejected') this.syncFailure ??= o.reason;
      }
    } finally {
      this.syncing = undefined;
    }
  }
}

async function syncPath(target: string, isDirectory: boolean): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(target, 'r');
  } catch (err) {
    // Some platforms (Windows) cannot open a directory to sync it; the file's own sync still holds its data.
    if (isDirectory) return;
    throw err;
  }
  try {
    if (isDirectory) await handle.sync().catch(() => undefined);
    else await handle.datasync();
  } finally {
    await handle.close();
  }
}
