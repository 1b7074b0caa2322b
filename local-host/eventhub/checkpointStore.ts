import * as fs from 'node:fs';
import * as path from 'node:path';

import { HostSystemError } from '../errors';
import type { Checkpoint } from './types';

export interface CheckpointStore {
  get(consumerGroup: string, partitionId: string): Checkpoint | undefined;
  set(consumerGroup: string, partitionId: string, checkpoint: Checkpoint): Promise<void>;
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
}

/** Consumer group names may hold characters a file name cannot. */
const safe = (name: string): string => encodeURIComponent(name).replace(/\*/g, '%2A');

/**
 * Checkpoints as `<dir>/<consumer group>/<partition>.json`, written to a temp file, fsynced and renamed
 * over the old one, so a crash leaves either the old or the new checkpoint, never half of one.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly cache = new Map<string, Checkpoint>();
  private readonly writes = new Map<string, Promise<void>>();

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
      throw new HostSystemError(
        `Checkpoint ${file} should hold {"sequenceNumber":<number>,"offset":"<string>"}; found ${text.slice(0, 200)}`,
      );
    }
    const checkpoint = {
      sequenceNumber: parsed.sequenceNumber,
      offset: parsed.offset,
      updatedAt: String(parsed.updatedAt ?? ''),
    };
    this.cache.set(file, checkpoint);
    return checkpoint;
  }

  set(group: string, partition: string, checkpoint: Checkpoint): Promise<void> {
    const file = this.file(group, partition);
    // Writes to one file are serialized so an older checkpoint never lands after a newer one. The cache (what
    // `get` and the hub view report) moves only once the file is renamed: it is what a crash would resume from.
    const previous = this.writes.get(file) ?? Promise.resolve();
    const write = previous.then(async () => {
      await writeAtomically(file, `${JSON.stringify(checkpoint)}\n`);
      this.cache.set(file, checkpoint);
    });
    this.writes.set(
      file,
      write.catch(() => undefined),
    );
    return write;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.promises.open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temp, file);
}
