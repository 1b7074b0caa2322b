import { processBatch, type StreamPartial } from '../batch';
import { compilePipeline } from '../pipelines';
import { mulberry32 } from '../random/prng';
import { initialStreamState, mergePartial, type StreamState, toStoredWindow } from '../state';
import type { StoredClosedWindow } from '../state/types';
import { analyzeStream } from './analyzeStream';
import { fromStoredWindow, type StoredWindow } from './fromStoredWindow';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const c = compilePipeline({
  name: 'p',
  key: 'site',
  aggregates: { users: { kind: 'distinct', expr: 'user' }, pages: { kind: 'topK', expr: 'page', k: 3 } },
  window: { type: 'tumbling', size: 'PT1M' },
  lateness: 'PT1S',
});
if (!c.ok) throw new Error(JSON.stringify(c.issues));
const pipeline = c.pipeline;

/** 42 one-minute windows (39 closed): ~50 distinct users a minute, 500 in minute 30; page "home" takes ~half, "promo" in minute 30. */
function storedWindows(): StoredWindow[] {
  const random = mulberry32(7);
  let state: StreamState = initialStreamState();
  const closed: StoredClosedWindow[] = [];
  for (let minute = 0; minute <= 41; minute++) {
    const spike = minute === 30;
    const bodies = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({
        site: 's',
        user: `u${Math.floor(random() * (spike ? 500_000 : 50))}`,
        page: spike && i % 4 !== 0 ? 'promo' : random() < 0.5 ? 'home' : `page${i % 7}`,
        time: T0 + minute * 60_000 + i,
      }),
    );
    const now = T0 + minute * 60_000 + 1000;
    const p = processBatch({
      bodies,
      partitionId: '0',
      sequenceNumbers: bodies.map((_, i) => minute * 1000 + i),
      enqueuedTimes: bodies.map(() => now),
      pipelines: [pipeline],
      now,
    }).partials[0] as StreamPartial;
    const m = mergePartial(state, p, now, pipeline.config);
    state = m.state;
    closed.push(...m.closedWindows);
  }
  return closed.map((w) => ({
    start: w.start,
    end: w.end,
    data: JSON.parse(JSON.stringify(toStoredWindow(w))) as StoredWindow['data'],
  }));
}

describe('aggregate series in the analysis', () => {
  const stored = storedWindows();

  it('reads a distinct estimate and top-K shares as series', () => {
    expect(stored.length).toBeGreaterThanOrEqual(39);
    const users = stored.map((w) => fromStoredWindow(w, 'users')?.mean);
    expect(users[0]).toBeGreaterThan(40);
    expect(users[0]).toBeLessThanOrEqual(51);
    expect(users[30]).toBeGreaterThan(190);
    const promo = stored.map((w) => fromStoredWindow(w, 'pages:promo')?.mean);
    expect([promo[29], promo[30]]).toEqual([0, 0.75]);
    expect(fromStoredWindow(stored[0] as StoredWindow, 'pages')?.mean).toBeGreaterThan(0.3);
    expect(fromStoredWindow(stored[0] as StoredWindow, 'nothing')).toBeNull();
  });

  it('lets the anomaly methods find the minute whose distinct users and leading page jump', () => {
    for (const series of ['users', 'pages:promo']) {
      const points = stored.flatMap((w) => fromStoredWindow(w, series) ?? []);
      const result = analyzeStream('s', points, ['anomalies']);
      const flagged = (result.anomalies ?? []).map((a) => a.windowStart);
      expect(flagged).toContain(new Date(T0 + 30 * 60_000).toISOString());
    }
  });

  it('skips a superseded session, whose events are in the row that absorbed it', () => {
    const w = stored[0] as StoredWindow;
    expect(
      fromStoredWindow({ ...w, data: { ...w.data, closedBy: 'superseded', supersededBy: 0 } }, 'users'),
    ).toBeNull();
  });
});
