import { keyFromField, nextSend, parseReplayFile, planReplay, type ScheduledEvent, valueAtPath } from './replay';

describe('parseReplayFile', () => {
  it('picks the parser by extension', () => {
    expect(parseReplayFile('a.ndjson', '{"v":1}\n{"v":2}')).toEqual([{ v: 1 }, { v: 2 }]);
    expect(parseReplayFile('a.csv', 'v\n1\n2')).toEqual([{ v: 1 }, { v: 2 }]);
    expect(parseReplayFile('a.json', '[{"v":1}]')).toEqual([{ v: 1 }]);
  });
  it('rejects what it cannot read', () => {
    expect(() => parseReplayFile('a.json', '{"v":1}')).toThrow(/JSON array/);
    expect(() => parseReplayFile('a.txt', '')).toThrow(/\.ndjson, \.jsonl, \.csv or \.json/);
  });
});

describe('planReplay', () => {
  const events = [
    { s: 'a', t: '2024-01-01T00:00:10Z' },
    { s: 'b', t: '2024-01-01T00:00:00Z' },
    { s: 'c', t: '2024-01-01T00:00:20Z' },
  ];
  it('sends back to back without a time column', () => {
    expect(planReplay(events, { speedUp: 1 })).toEqual(events.map((event) => ({ event })));
  });
  it('schedules by recorded time, sped up, and rebases times', () => {
    const plan = planReplay(events, { timeColumn: 't', speedUp: 10, rebaseTo: new Date('2030-01-01T00:00:00Z') });
    expect(plan.map((p) => p.atMs)).toEqual([1000, 0, 2000]);
    expect(plan.map((p) => (p.event as { t: string }).t)).toEqual([
      '2030-01-01T00:00:01.000Z',
      '2030-01-01T00:00:00.000Z',
      '2030-01-01T00:00:02.000Z',
    ]);
  });
  it('names an event without a time', () => {
    expect(() => planReplay([{ t: 'x' }], { timeColumn: 't', speedUp: 1 })).toThrow(
      /Event 1 has no usable time in "t"/,
    );
  });
});

describe('nextSend (per-event pacing)', () => {
  /** The send times and sizes a replay makes, each request going out the moment it is due (sending takes no time). */
  function schedule(plan: readonly ScheduledEvent[], batchSize: number): { atMs: number; count: number }[] {
    const sends: { atMs: number; count: number }[] = [];
    let elapsed = 0;
    for (let from = 0; from < plan.length;) {
      const { waitMs, count } = nextSend(plan, from, elapsed, batchSize);
      elapsed += waitMs;
      sends.push({ atMs: elapsed, count });
      from += count;
    }
    return sends;
  }

  it('spreads 5 rows over 120 s at --speed-up 60 across 2 s, one event at a time, though they fit in one batch', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      t: new Date(Date.UTC(2024, 0, 1, 0, 0, i * 30)).toISOString(),
    }));
    const plan = planReplay(rows, { timeColumn: 't', speedUp: 60 });
    expect(schedule(plan, 500)).toEqual([
      { atMs: 0, count: 1 },
      { atMs: 500, count: 1 },
      { atMs: 1000, count: 1 },
      { atMs: 1500, count: 1 },
      { atMs: 2000, count: 1 },
    ]);
  });

  it('sends events due together in one request, up to the batch size, and catches up after a late start', () => {
    const plan = [0, 0, 0, 10, 10, 20].map((atMs, i) => ({ event: i, atMs }));
    expect(schedule(plan, 2)).toEqual([
      { atMs: 0, count: 2 },
      { atMs: 0, count: 1 },
      { atMs: 10, count: 2 },
      { atMs: 20, count: 1 },
    ]);
    // Behind schedule (a slow target): everything already due goes at once, no waiting.
    expect(nextSend(plan, 0, 15, 500)).toEqual({ waitMs: 0, count: 5 });
  });
});

describe('--key-field', () => {
  it('reads a dotted path; strings as they are, other values as JSON; missing or null gives no key', () => {
    const event = { stream: 's-1', meta: { carrier: 'AA', id: 7, tags: ['x'] }, none: null };
    expect(valueAtPath(event, 'meta.carrier')).toBe('AA');
    expect(keyFromField(event, 'stream')).toBe('s-1');
    expect(keyFromField(event, 'meta.carrier')).toBe('AA');
    expect(keyFromField(event, 'meta.id')).toBe('7');
    expect(keyFromField(event, 'meta.tags')).toBe('["x"]');
    expect(keyFromField(event, 'meta.missing')).toBeUndefined();
    expect(keyFromField(event, 'stream.deeper')).toBeUndefined();
    expect(keyFromField(event, 'none')).toBeUndefined();
    expect(keyFromField('text', 'a')).toBeUndefined();
  });
});
