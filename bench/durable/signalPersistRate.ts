import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DurableRuntime } from '../../local-host/durable/runtime/durableRuntime';
import { entitySchedulerId } from '../../local-host/durable/runtime/entityId';
import { SqliteStore } from '../../local-host/durable/store/sqliteStore';

/**
 * Signals persisted per second on the SQLite store, arriving in bursts of `burst` per event-loop turn (as
 * the durable HTTP API receives them): 'each' commits every signal on its own (the old API path),
 * 'perTurn' shares one transaction per turn (signalEntityBatched). The runtime is not started, so this
 * is the persistence cost alone; the count of stored messages proves every signal landed.
 */
export async function signalPersistRate(mode: 'each' | 'perTurn', signals: number, burst: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-signals-'));
  const store = new SqliteStore(join(dir, 'hub.sqlite'));
  const runtime = new DurableRuntime({
    store,
    functions: [],
    invoke: () => Promise.reject(new Error('the signal bench invokes nothing')),
    logger: { debug() {}, info() {}, warn() {}, error: (m) => console.error(m) },
  });
  try {
    const started = process.hrtime.bigint();
    for (let sent = 0; sent < signals; sent += burst) {
      const ids = Array.from({ length: Math.min(burst, signals - sent) }, (_, i) =>
        entitySchedulerId('Counter', `c${(sent + i) % 100}`),
      );
      if (mode === 'each') {
        for (const id of ids) runtime.signalEntity(id, 'add', '1');
        await new Promise((r) => setImmediate(r));
      } else {
        await Promise.all(ids.map((id) => runtime.signalEntityBatched(id, 'add', '1')));
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = store.loadMessages().length;
    if (stored !== signals) throw new Error(`signal bench: expected ${signals} stored signals, found ${stored}`);
    return signals / seconds;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
