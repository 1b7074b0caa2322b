import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { DurableStore } from '../types';
import { MemoryStore } from './memoryStore';
import { SqliteStore } from './sqliteStore';

/** 'memory' keeps state in process; 'sqlite' and 'azurite' both persist to one SQLite file under dataDir. */
export function openStore(kind: 'memory' | 'sqlite' | 'azurite', dataDir: string, taskHubName: string): DurableStore {
  if (kind === 'memory') return new MemoryStore();
  mkdirSync(dataDir, { recursive: true });
  return new SqliteStore(join(dataDir, `durable-${taskHubName.replace(/[^A-Za-z0-9_-]/g, '_')}.sqlite`));
}
