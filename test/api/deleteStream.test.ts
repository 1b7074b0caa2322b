import { InvocationContext } from '@azure/functions';

import { deleteStream, MAX_ROWS_PER_DELETE, setDeleteStreamDeps } from '../../src/functions/api/deleteStream';
import { setApiDeps } from '../../src/functions/api/deps';
import { listWindows } from '../../src/functions/api/streams';
import { streamEntityKey } from '../../src/functions/stream/streamContract';
import { createMemoryStores } from '../../src/storage/createStores';
import { MemoryStreamActivityStore } from '../../src/storage/memory/MemoryStreamActivityStore';
import type { Stores } from '../../src/storage/types';
import { closedWindowRow } from '../support/closedWindowRow';
import { call, useDeps } from './apiTestKit';

let stores: Stores;
let activity: MemoryStreamActivityStore;
let signalled: string[];

beforeEach(async () => {
  stores = createMemoryStores();
  useDeps(stores);
  activity = new MemoryStreamActivityStore();
  signalled = [];
  setDeleteStreamDeps({
    activity,
    signalDelete: async (_context: InvocationContext, pipeline, stream) => void signalled.push(`${pipeline}|${stream}`),
  });
  for (const stream of ['room/1', 'room/2']) {
    await stores.windows.upsert(
      streamEntityKey('temps', stream),
      [0, 1, 2].map((i) => closedWindowRow(i * 60_000, (i + 1) * 60_000, { events: i })),
    );
    await stores.streams.touch([
      { pipeline: 'temps', stream, lastSeen: '2024-05-01T10:00:00Z', events: 3, eventsPerSec: 0 },
    ]);
    await activity.record({
      pipeline: 'temps',
      stream,
      lastActivity: 1,
      openWindows: 1,
      idleTimeoutMs: 1000,
      flushDue: 1001,
    });
    await stores.deadLetters.add([
      {
        raw: '{}',
        reason: 'late',
        detail: 'd',
        partition: '0',
        sequenceNumber: stream === 'room/1' ? 1 : 2,
        enqueuedTime: '2024-05-01T10:00:00Z',
        recordedAt: '2024-05-01T10:00:01Z',
        pipeline: 'temps',
        stream,
      },
    ]);
  }
});

afterAll(() => {
  setApiDeps(undefined);
  setDeleteStreamDeps(undefined);
});

const del = (stream: string, pipeline = 'temps') =>
  call(deleteStream, {
    method: 'DELETE',
    path: `streams/${pipeline}/${encodeURIComponent(stream)}`,
    params: { pipeline, stream },
  });

describe('DELETE /api/streams/{pipeline}/{stream}', () => {
  it("signals the entity and erases the stream's windows, dead letters, catalog and idle-index rows; another stream is untouched", async () => {
    const res = await del('room/1');
    expect(res.status).toBe(202);
    expect(res.json).toEqual({
      pipeline: 'temps',
      stream: 'room/1',
      deleted: { windows: 3, deadLetters: 1, catalog: true },
      complete: true,
    });
    expect(signalled).toEqual(['temps|room/1']);
    const windows = await call(listWindows, {
      path: 'streams/temps/room%2F1/windows',
      params: { pipeline: 'temps', stream: 'room/1' },
    });
    expect(windows.json).toEqual({ items: [] });
    expect((await stores.streams.list()).items.map((e) => e.stream)).toEqual(['room/2']);
    expect((await stores.deadLetters.query()).items.map((d) => d.stream)).toEqual(['room/2']);
    expect([...activity.rows.keys()]).toEqual([streamEntityKey('temps', 'room/2')]);
    expect((await stores.windows.query(streamEntityKey('temps', 'room/2'))).items).toHaveLength(3);
  });

  it('is idempotent: a repeated or unknown stream answers 202 with nothing deleted', async () => {
    await del('room/1');
    expect((await del('room/1')).json).toEqual({
      pipeline: 'temps',
      stream: 'room/1',
      deleted: { windows: 0, deadLetters: 0, catalog: false },
      complete: true,
    });
    expect((await del('never-seen', 'other')).status).toBe(202);
  });

  it('deletes at most MAX_ROWS_PER_DELETE windows per request and says when to send it again', async () => {
    const many = Array.from({ length: MAX_ROWS_PER_DELETE + 2 }, (_, i) => closedWindowRow(i, i + 1));
    await stores.windows.upsert(streamEntityKey('temps', 'big'), many);
    expect((await del('big')).json).toMatchObject({ deleted: { windows: MAX_ROWS_PER_DELETE }, complete: false });
    expect((await del('big')).json).toMatchObject({ deleted: { windows: 2 }, complete: true });
  });

  it('rejects a stream name that cannot be a stream key, naming the field, and deletes nothing', async () => {
    const res = await del('x'.repeat(257));
    expect(res).toMatchObject({ status: 400, contentType: 'application/problem+json' });
    expect((res.json as { errors: { field: string; message: string }[] }).errors[0]?.message).toMatch(
      /^stream: expected a stream key of at most 256 UTF-8 bytes, found 257/,
    );
    expect((await del('', 'temps')).status).toBe(400);
    expect(signalled).toEqual([]);
  });

  it('fails with a problem when the entity cannot be signalled, and a repeated request then completes', async () => {
    setDeleteStreamDeps({ activity, signalDelete: () => Promise.reject(new Error('durable client unavailable')) });
    const res = await del('room/1');
    expect(res).toMatchObject({ status: 500, contentType: 'application/problem+json' });
    setDeleteStreamDeps({
      activity,
      signalDelete: async (_context, pipeline, stream) => void signalled.push(`${pipeline}|${stream}`),
    });
    expect(await del('room/1')).toMatchObject({ status: 202, json: { complete: true } });
    expect(signalled).toEqual(['temps|room/1']);
  });
});
