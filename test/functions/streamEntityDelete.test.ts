import { initialStreamState } from '../../src/core';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createStreamEntityHandler } from '../../src/functions/stream/streamEntity';
import { createMemoryStores } from '../../src/storage/createStores';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import { EntityDriver } from '../ingest/entityDriver';
import { closedWindowRow } from '../support/closedWindowRow';

// The entity and Windows key of a stream, whatever its encoding.
const key = (stream: string) => streamEntityKey('temps', stream);

describe('stream entity: delete', () => {
  it('erases the entity, its windows, catalog and idle-index rows, and nothing of another stream', async () => {
    const stores = createMemoryStores();
    const activity = new MemoryStreamActivityStore();
    const driver = new EntityDriver(createStreamEntityHandler(() => ({ ...stores, activity })));
    const state = JSON.stringify({ ...initialStreamState(), lastSeen: 5 });
    for (const stream of ['gone', 'kept']) {
      driver.states.set(key(stream), state);
      await stores.windows.upsert(key(stream), [closedWindowRow(0, 60_000, { events: 1 })]);
      await stores.streams.touch([
        { pipeline: 'temps', stream, lastSeen: '2024-05-01T10:00:00Z', events: 1, eventsPerSec: 0 },
      ]);
      await activity.record({
        pipeline: 'temps',
        stream,
        lastActivity: 5,
        openWindows: 1,
        idleTimeoutMs: 1000,
        flushDue: 1005,
      });
    }

    expect(await driver.run(key('gone'), 'delete')).toEqual({ ok: true, kind: 'delete' });

    expect([...driver.states.keys()]).toEqual([key('kept')]);
    expect((await stores.windows.query(key('gone'))).items).toEqual([]);
    expect((await stores.windows.query(key('kept'))).items).toHaveLength(1);
    expect((await stores.streams.list()).items.map((e) => e.stream)).toEqual(['kept']);
    expect([...activity.rows.keys()]).toEqual([key('kept')]);
    // Deleting again (a retried request) is harmless, and a read after it finds a fresh, empty stream.
    expect(await driver.run(key('gone'), 'delete')).toEqual({ ok: true, kind: 'delete' });
    const got = await driver.run(key('gone'), 'get');
    expect(got.ok && got.kind === 'get' ? got.view.events : undefined).toBe(0);
  });
});
