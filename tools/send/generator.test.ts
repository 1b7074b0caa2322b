import { createGenerator } from './generator';

const at = new Date('2024-05-01T00:00:00Z');

describe('createGenerator', () => {
  it('cycles through the streams with the event shape', () => {
    const next = createGenerator({ streams: 3 });
    const events = Array.from({ length: 6 }, () => next(at));
    expect(events.map((e) => e.stream)).toEqual(['s-001', 's-002', 's-003', 's-001', 's-002', 's-003']);
    expect(events[0]).toEqual({ stream: 's-001', time: '2024-05-01T00:00:00.000Z', value: expect.any(Number) });
  });

  it('is reproducible for a seed', () => {
    const a = createGenerator({ seed: 7 });
    const b = createGenerator({ seed: 7 });
    const c = createGenerator({ seed: 8 });
    const va = Array.from({ length: 20 }, () => a(at).value);
    expect(Array.from({ length: 20 }, () => b(at).value)).toEqual(va);
    expect(Array.from({ length: 20 }, () => c(at).value)).not.toEqual(va);
  });

  it('plants spikes every Nth event of a stream', () => {
    const next = createGenerator({ streams: 1, spikeEvery: 10, spikeSize: 20, stddev: 1, mean: 0 });
    const values = Array.from({ length: 30 }, () => next(at).value);
    values.forEach((v, i) => {
      if ((i + 1) % 10 === 0) expect(v).toBeGreaterThan(12);
      else expect(Math.abs(v)).toBeLessThan(8);
    });
  });

  it('keeps a gaussian stream near its mean', () => {
    const next = createGenerator({ streams: 1, mean: 100, stddev: 2 });
    const values = Array.from({ length: 2000 }, () => next(at).value);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 100)).toBeLessThan(0.5);
  });
});
