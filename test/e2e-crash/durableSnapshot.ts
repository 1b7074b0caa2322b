import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { decodeStreamKey, migrateStreamState, type StreamState, streamView } from '../../src/core';

export interface StreamTotals {
  count: number;
  sum: number;
}

export interface DurableSnapshot {
  /** Per stream (`{pipeline}|{stream}`, decoded from the entity key), what its entity state (pending partials merged) held at the crash. */
  streams: Map<string, StreamTotals>;
  /** Per partition, the highest event sequence number the durable side had received (entity state or queued signal). */
  receivedThrough: Map<string, number>;
}

/** The local hub's checkpoint per partition after a crash (-1 where none was written yet). */
export function readCheckpoints(
  dataDir: string,
  partitions: readonly string[],
  hub = 'events',
  group = '$Default',
): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of partitions) {
    const file = join(dataDir, 'eventhubs', hub, 'checkpoints', encodeURIComponent(group), `${p}.json`);
    out.set(
      p,
      existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { sequenceNumber: number }).sequenceNumber : -1,
    );
  }
  return out;
}

interface MergeMessage {
  body: { kind: string; operation?: string; input?: string | null };
}

const raise = (map: Map<string, number>, partition: string, sequence: number | undefined): void => {
  if (sequence !== undefined && sequence > (map.get(partition) ?? -1)) map.set(partition, sequence);
};

/** The stream entities' states (by entity key) in the local host's durable SQLite store left by a killed host. */
export function readStreamStates(dataDir: string, taskHub = 'Streamfold'): Map<string, StreamState> {
  const db = new Database(join(dataDir, `durable-${taskHub}.sqlite`), { readonly: true, fileMustExist: true });
  try {
    return streamStates(db);
  } finally {
    db.close();
  }
}

function streamStates(db: Database.Database): Map<string, StreamState> {
  const states = new Map<string, StreamState>();
  for (const row of db.prepare('SELECT entity_id, record, state FROM entities').all() as {
    entity_id: string;
    record: string;
    state: string | null;
  }[]) {
    if (!row.entity_id.startsWith('@stream@')) continue;
    // The state has its own column; rows written before it keep it inside the record (SqliteStore).
    const record = JSON.parse(row.record) as { key: string; state?: string | null };
    const text = row.state ?? record.state;
    if (!text) continue;
    // As the entity reads it: older versions migrated, packed windows and samples unpacked (version 6).
    const migrated = migrateStreamState(JSON.parse(text));
    if (!migrated.ok) throw new Error(`stream entity ${record.key}: ${migrated.error}`);
    states.set(record.key, migrated.state);
  }
  return states;
}

/**
 * Reads the local host's durable SQLite store left by a killed host (the host is down, so nothing writes it):
 * stream entity states through the core's `streamView` and the merge signals still queued.
 */
export function readDurableSnapshot(dataDir: string, taskHub = 'Streamfold'): DurableSnapshot {
  const db = new Database(join(dataDir, `durable-${taskHub}.sqlite`), { readonly: true, fileMustExist: true });
  try {
    const streams = new Map<string, StreamTotals>();
    const receivedThrough = new Map<string, number>();
    for (const [key, state] of streamStates(db)) {
      const total = streamView(state).totals['value'];
      const names = decodeStreamKey(key);
      streams.set(names ? `${names.pipeline}|${names.stream}` : key, {
        count: total?.count ?? 0,
        sum: total?.sum ?? 0,
      });
      for (const [partition, progress] of Object.entries(state.partitions)) {
        raise(receivedThrough, partition, progress.committed);
        raise(receivedThrough, partition, progress.pending?.lastSequence);
      }
    }
    for (const row of db.prepare('SELECT body FROM messages').all() as { body: string }[]) {
      const message = JSON.parse(row.body) as MergeMessage;
      if (message.body.kind !== 'entity' || message.body.operation !== 'merge' || !message.body.input) continue;
      const input = JSON.parse(message.body.input) as { partial?: { partition?: string; lastSequence?: number } };
      if (input.partial?.partition !== undefined)
        raise(receivedThrough, input.partial.partition, input.partial.lastSequence);
    }
    return { streams, receivedThrough };
  } finally {
    db.close();
  }
}
