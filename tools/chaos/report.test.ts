import { chaosEvent, idInRaw } from './chaosEvents';
import { failuresOf, formatTable, streamResult, totalsOf } from './report';

const observed = {
  counted: 90,
  countedSum: 900,
  storedWindowEvents: 60,
  liveWindowEvents: 30,
  lateAtEntity: 0,
  conflicts: 0,
};

describe('streamResult', () => {
  it('is exact when every valid event is counted once and every invalid one dead-lettered', () => {
    const r = streamResult({ valid: 90, validSum: 900, invalid: 10 }, observed, { valid: 0, validSum: 0, invalid: 10 });
    expect(r).toEqual({
      sent: 100,
      sentValid: 90,
      counted: 90,
      deadLettered: 10,
      lost: 0,
      doubleCounted: 0,
      sumDelta: 0,
      unsavedWindowEvents: 0,
      conflicts: 0,
    });
    expect(failuresOf({ s: r })).toEqual([]);
  });

  it('counts missing valid and missing invalid events as lost, and over-counting as doubleCounted', () => {
    const lost = streamResult({ valid: 95, validSum: 950, invalid: 10 }, observed, {
      valid: 0,
      validSum: 0,
      invalid: 8,
    });
    expect({ lost: lost.lost, doubleCounted: lost.doubleCounted }).toEqual({ lost: 7, doubleCounted: 0 });
    const twice = streamResult({ valid: 85, validSum: 850, invalid: 0 }, observed, {
      valid: 0,
      validSum: 0,
      invalid: 0,
    });
    expect({ lost: twice.lost, doubleCounted: twice.doubleCounted }).toEqual({ lost: 0, doubleCounted: 5 });
    expect(failuresOf({ a: lost, b: twice })).toEqual([
      'a: 7 event(s) lost (sent 105, counted 90, dead-lettered 8)',
      'b: 5 event(s) counted twice (expected 85 counted, found 90)',
    ]);
  });

  it('does not owe the totals a valid event the app dead-lettered, and flags closed windows missing from storage', () => {
    const r = streamResult(
      { valid: 91, validSum: 907, invalid: 0 },
      { ...observed, storedWindowEvents: 50 },
      { valid: 1, validSum: 7, invalid: 0 },
    );
    expect({
      lost: r.lost,
      doubleCounted: r.doubleCounted,
      sumDelta: r.sumDelta,
      unsavedWindowEvents: r.unsavedWindowEvents,
    }).toEqual({ lost: 0, doubleCounted: 0, sumDelta: 0, unsavedWindowEvents: 10 });
    expect(failuresOf({ s: r }, ['the hub did not drain'])).toEqual([
      'the hub did not drain',
      's: 10 counted event(s) are in no stored or live window (closed windows not saved)',
    ]);
  });

  it('totals and prints one row per stream and a total row', () => {
    const a = streamResult({ valid: 90, validSum: 900, invalid: 10 }, observed, { valid: 0, validSum: 0, invalid: 10 });
    const totals = totalsOf([a, a]);
    expect(totals).toEqual({ sent: 200, counted: 180, deadLettered: 20, lost: 0, doubleCounted: 0 });
    expect(
      formatTable({ 's-0': a, 's-1': a }, totals)
        .split('\n')
        .map((l) => l.split(/\s+/).slice(0, 6)),
    ).toEqual([
      ['stream', 'sent', 'counted', 'deadLettered', 'lost', 'doubleCounted'],
      ['s-0', '100', '90', '10', '0', '0'],
      ['s-1', '100', '90', '10', '0', '0'],
      ['total', '200', '180', '20', '0', '0'],
    ]);
  });
});

describe('chaosEvent', () => {
  const options = { streams: 7, partitions: 4, invalidEvery: 5 };

  it('puts invalid (non-JSON) bodies on partition 0 only, each carrying its id', () => {
    const events = Array.from({ length: 400 }, (_, i) => chaosEvent(i, options));
    const invalid = events.filter((e) => !e.valid);
    expect(invalid.length).toBe(20);
    expect(new Set(invalid.map((e) => e.partition))).toEqual(new Set(['0']));
    for (const e of invalid) {
      expect(() => JSON.parse(e.body) as unknown).toThrow();
      expect(idInRaw(e.body)).toBe(e.id);
    }
    for (const e of events.filter((x) => x.valid))
      expect(JSON.parse(e.body)).toMatchObject({ id: e.id, stream: e.stream, value: e.value });
    expect(new Set(events.map((e) => `${e.stream}@${e.partition}`)).size).toBe(28);
  });
});
