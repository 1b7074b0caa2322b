import { parseReplayFile, planReplay } from './replay';

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
    expect(plan.map((p) => (p.event as { t: string }).t)).toEqual(['2030-01-01T00:00:01.000Z', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:02.000Z']);
  });
  it('names an event without a time', () => {
    expect(() => planReplay([{ t: 'x' }], { timeColumn: 't', speedUp: 1 })).toThrow(/Event 1 has no usable time in "t"/);
  });
});
