import fc from 'fast-check';

import { analyzeStream } from '../../src/core/analysis/analyzeStream';
import { encodeStreamKey } from '../../src/core/streams';
import { analyzeChunk, streamPoints } from '../../src/functions/analysis/analyzeChunk';
import type { AnalysisDeps } from '../../src/functions/analysis/deps';
import { listJobStreams } from '../../src/functions/analysis/listJobStreams';
import { readChunkWindows } from '../../src/functions/analysis/readChunkWindows';
import { readWindows } from '../../src/functions/analysis/readWindows';
import type { AnalysisJob } from '../../src/functions/analysis/request';
import { compareStreamKeys } from '../../src/storage/compareStreamKeys';
import { createMemoryStores } from '../../src/storage/createStores';
import { MemoryAlertStore } from '../../src/storage/memory/MemoryAlertStore';
import { MemoryReportStore } from '../../src/storage/memory/MemoryReportStore';
import type { WindowStore } from '../../src/storage/types';
import { closedWindowRow } from '../support/closedWindowRow';
import { closedWindow, MINUTE, T0 } from './fixtures';

const FROM = new Date(T0).toISOString();
const TO = new Date(T0 + 3_600_000).toISOString();

/** A real memory store whose reads are counted (one call = one request to a Table service). */
function counted(store: WindowStore) {
  const calls = { query: 0, queryRange: 0 };
  const wrapped: WindowStore = {
    upsert: (key, windows) => store.upsert(key, windows),
    query: (key, options) => (calls.query++, store.query(key, options)),
    queryRange: (query) => (calls.queryRange++, store.queryRange(query)),
    purge: (beforeMs, limit) => store.purge(beforeMs, limit),
    deleteStream: (key, limit) => store.deleteStream(key, limit),
  };
  return { store: wrapped, calls };
}

async function seed(store: WindowStore, pipeline: string, streams: readonly string[], windows: number): Promise<void> {
  for (const [n, s] of streams.entries()) {
    await store.upsert(
      encodeStreamKey(pipeline, s),
      Array.from({ length: windows }, (_, i) => closedWindow(T0 + i * MINUTE, [n, i, n + i])),
    );
  }
}

/** What the chunk read before: one paged query per stream. */
async function perStream(store: WindowStore, pipeline: string, streams: readonly string[], from = FROM, to = TO) {
  const out = new Map<string, unknown[]>();
  for (const s of streams) out.set(s, await readWindows(store, pipeline, s, from, to));
  return out;
}

describe('readChunkWindows', () => {
  it('reads a contiguous chunk with one paged range query, identical to a query per stream', async () => {
    const { store, calls } = counted(createMemoryStores().windows);
    const names = Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await seed(store, 'p', names, 60);
    await seed(store, 'p0', names.slice(0, 3), 5); // a neighbour pipeline never leaks in
    const chunk = names.slice(10, 35);
    const got = await readChunkWindows(store, 'p', chunk, FROM, TO);
    expect(calls).toEqual({ query: 0, queryRange: 2 }); // 25 x 60 = 1,500 windows: two pages of 1,000
    expect(got).toEqual(await perStream(store, 'p', chunk));
    expect([...got.values()].every((w) => w.length === 60)).toBe(true);
  });

  it('skips streams in the range that are not in the chunk, and unknown streams get no windows', async () => {
    const { store, calls } = counted(createMemoryStores().windows);
    await seed(store, 'p', ['a', 'a/', 'a&', 'b', 'c'], 4);
    // Key order (base64url): a (YQ) < a/ (YS8) < a& (YSY) < b (Yg) < c (Yw), so [a/, b] is one range holding a& as well.
    const got = await readChunkWindows(store, 'p', ['b', 'a/', 'zz-unknown', 'lone\ud800'], FROM, TO);
    expect(calls.queryRange).toBe(1);
    expect([...got.keys()]).toEqual(['b', 'a/', 'zz-unknown', 'lone\ud800']);
    expect(got).toEqual(await perStream(store, 'p', ['b', 'a/', 'zz-unknown', 'lone\ud800']));
    expect(got.get('zz-unknown')).toEqual([]);
    // A name no stream key can have (a lone surrogate) has no windows; it never makes the read fail.
    expect(got.get('lone\ud800')).toEqual([]);
    expect(await readChunkWindows(store, 'p', [], FROM, TO)).toEqual(new Map());
    expect(calls.queryRange).toBe(1);
  });

  it('falls back to a query per stream when the range is mostly other streams', async () => {
    const { store, calls } = counted(createMemoryStores().windows);
    const names = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    await seed(store, 'p', names, 60); // 2,400 windows, of which the chunk wants 3 x 60
    // Key order is base64url order: m04 ... m09 m00 ... m03 m14 ..., so m04 is the first stream and m33 the last.
    const chunk = ['m04', 'm20', 'm33'];
    const got = await readChunkWindows(store, 'p', chunk, FROM, TO);
    expect(got).toEqual(await perStream(store, 'p', chunk));
    calls.query -= chunk.length; // perStream's own queries
    expect(calls.queryRange).toBe(2); // the second page shows the range is mostly waste (> 1 page of other streams)
    // Page 2 ends inside m37 with 1,880 windows of other streams: m04 and m20 are complete, m33 is read alone.
    expect(calls.query).toBe(1);
  });

  it('equals a query per stream for any streams, chunk and time range (property)', async () => {
    const name = fc.string({
      unit: fc.constantFrom('a', 'b', '%', '/', '#', '&', '0', '|', 'é'),
      minLength: 1,
      maxLength: 3,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ name, windows: fc.integer({ min: 0, max: 1200 }) }), {
          maxLength: 6,
          selector: (s) => s.name,
        }),
        fc.uniqueArray(name, { maxLength: 5 }),
        fc.integer({ min: 0, max: 1300 }),
        fc.integer({ min: 1, max: 1300 }),
        async (streams, extra, a, b) => {
          const store = createMemoryStores().windows;
          for (const s of streams) {
            await store.upsert(
              encodeStreamKey('p', s.name),
              Array.from({ length: s.windows }, (_, i) =>
                closedWindowRow(T0 + i * MINUTE, T0 + (i + 1) * MINUTE, { stream: s.name, events: i }),
              ),
            );
          }
          const chunk = [...new Set([...streams.filter((_, i) => i % 2 === 0).map((s) => s.name), ...extra])];
          const from = new Date(T0 + Math.min(a, b) * MINUTE).toISOString();
          const to = new Date(T0 + Math.max(a, b + 1) * MINUTE).toISOString();
          expect(await readChunkWindows(store, 'p', chunk, from, to)).toEqual(
            await perStream(store, 'p', chunk, from, to),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('analyzeChunk over a range', () => {
  it('gives the same digests as per-stream reads, one range query for a chunk cut from listStreams in key order', async () => {
    const stores = createMemoryStores();
    const names = ['x/1', 'x&1', 'x1', 'x#2', 'x?3', 'y'];
    await seed(stores.windows, 'p', names, 30);
    await stores.streams.touch(
      names.map((stream) => ({ pipeline: 'p', stream, lastSeen: FROM, events: 150, eventsPerSec: 1 })),
    );
    const { store, calls } = counted(stores.windows);
    const deps: AnalysisDeps = {
      pipelines: stores.pipelines,
      windows: store,
      streams: stores.streams,
      reports: new MemoryReportStore(),
      alerts: new MemoryAlertStore(),
    };
    const job: AnalysisJob = { pipeline: 'p', from: FROM, to: TO, analyses: ['summary', 'anomalies', 'trend'] };
    const listed = await listJobStreams(deps.streams, job);
    expect(listed).toEqual([...names].sort(compareStreamKeys));
    const digests = await analyzeChunk(deps, { reportId: 'r', job, streams: listed, raisedAt: FROM }, 1.5);
    expect(calls).toEqual({ query: 0, queryRange: 1 });
    expect(digests.map((d) => [d.stream, d.count])).toEqual(listed.map((s) => [s, 30 * 3])); // 3 events per window
    // The same as the per-stream read it replaces.
    for (const d of digests) {
      const result = analyzeStream(d.stream, await streamPoints(deps, job, d.stream), job.analyses);
      expect([d.maxSeverity, d.anomalies]).toEqual([result.maxSeverity, result.anomalies?.length ?? 0]);
    }
  });
});
