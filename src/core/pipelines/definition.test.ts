import { compilePipeline } from './compile';
import { defaultPipeline, parsePipeline } from './definition';

describe('parsePipeline', () => {
  it('fills defaults', () => {
    const r = parsePipeline({ name: 'temps', window: { size: '1m' } });
    expect(r).toEqual({
      ok: true,
      pipeline: { name: 'temps', streamKey: 'stream', time: 'time', measures: { value: 'value' }, window: { size: '1m' }, allowedLateness: '30s', retention: 60, sketchAccuracy: 0.01, idleTimeout: '2m' },
    });
  });

  it('accepts an idle timeout as a duration, and "0", 0 or null to disable it; names a bad one', () => {
    const ms = (idleTimeout: unknown) => {
      const r = compilePipeline({ name: 'i', window: { size: '1m' }, idleTimeout });
      if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
      return r.pipeline.config.idleTimeoutMs;
    };
    expect([ms(undefined), ms('30s'), ms(1500), ms('0'), ms(0), ms(null)]).toEqual([120_000, 30_000, 1500, 0, 0, 0]);
    const bad = parsePipeline({ name: 'i', window: { size: '1m' }, idleTimeout: 'soon' });
    expect(bad.ok ? [] : bad.issues.map((i) => i.message)).toEqual(['idleTimeout: expected idleTimeout as a duration like "2m" (at most 2678400000 ms), or "0" or null to disable it; found string "soon"']);
    const wrongType = parsePipeline({ name: 'i', window: { size: '1m' }, idleTimeout: true });
    expect(wrongType.ok ? [] : wrongType.issues.map((i) => i.path)).toEqual(['idleTimeout']);
  });

  it('names field, expectation and what was found for each problem', () => {
    const r = parsePipeline({ name: 'no spaces', window: { size: 'soon', hop: '2m' }, filter: 'value >', measures: { '1x': 'value' }, retention: 0, colour: 'red' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
    expect(byPath['name']).toMatch(/expected a url-safe name.*found string "no spaces"/);
    expect(byPath['window.size']).toMatch(/expected window.size as a duration.*found string "soon"/);
    expect(byPath['filter']).toMatch(/expected a valid boolean filter expression: unexpected end.*position 7; found string "value >"/);
    expect(byPath['retention']).toMatch(/found number 0/);
    expect(Object.keys(byPath).some((p) => p.startsWith('measures'))).toBe(true);
    expect(byPath['(root)']).toMatch(/unknown field\(s\) "colour"/);
  });

  it('rejects a hop longer than the window and a time that is not a field path', () => {
    const r = parsePipeline({ name: 'h', window: { size: '10s', hop: '20s' }, time: 'a + 1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['time', 'window.hop']);
  });

  it('compiles durations and expressions; the default pipeline is valid', () => {
    const r = compilePipeline({ name: 'h', window: { size: '1m', hop: '15s' }, allowedLateness: 5000, filter: 'unit == "C"', measures: { t: 'value', f: 'value * 9 / 5 + 32' } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.pipeline.config).toEqual({ name: 'h', windowSizeMs: 60_000, hopMs: 15_000, allowedLatenessMs: 5000, retention: 60, sketchAccuracy: 0.01, idleTimeoutMs: 120_000 });
    expect(r.pipeline.measures.map(([n]) => n)).toEqual(['t', 'f']);
    const d = compilePipeline(defaultPipeline);
    expect(d.ok && d.pipeline.config.windowSizeMs).toBe(60_000);
  });
});
