import fc from 'fast-check';

import { parseCanonicalIso, parseEventTime } from './eventTime';

/** The general path alone: what parseEventTime answered before the canonical fast path existed. */
const general = (text: string): number | undefined => {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
};

describe('parseCanonicalIso', () => {
  it('reads toISOString output', () => {
    const t = Date.UTC(2026, 10, 26, 10, 0, 0, 123);
    expect(parseCanonicalIso(new Date(t).toISOString())).toBe(t);
  });

  it('reads whole seconds and long fractions as Date.parse does', () => {
    expect(parseCanonicalIso('2026-11-26T10:00:00Z')).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(parseCanonicalIso('2026-11-26T10:00:00.1Z')).toBe(Date.parse('2026-11-26T10:00:00.1Z'));
    expect(parseCanonicalIso('2026-11-26T10:00:00.123456789Z')).toBe(Date.parse('2026-11-26T10:00:00.123456789Z'));
  });

  it('leaves other shapes to the general path', () => {
    for (const text of ['2026-11-26T10:00:00+01:00', '2026-11-26 10:00:00Z', '2026-11-26T10:00Z', '2026-11-29T10:00:00Z', '0099-01-01T00:00:00Z', '2026-11-26T10:00:00.Z', '2026-13-01T00:00:00Z', '2026-11-26T1a:00:00Z', '2026-11-26t10:00:00z']) {
      expect(parseCanonicalIso(text)).toBeUndefined();
    }
  });

  it('agrees with Date.parse on any canonical time', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 6 }), (date, extra) => {
        const iso = date.toISOString();
        const text = extra === 0 ? iso.replace(/\.\d+Z$/, 'Z') : iso.replace('Z', `${'7'.repeat(extra)}Z`);
        const fast = parseCanonicalIso(text);
        if (fast !== undefined) expect(fast).toBe(general(text));
      }),
    );
  });

  it('agrees with Date.parse or declines, on any text of the canonical length', () => {
    const char = fc.constantFrom(...'0123456789-T:.Z x+'.split(''));
    fc.assert(
      fc.property(fc.array(char, { minLength: 20, maxLength: 26 }), (chars) => {
        const text = chars.join('');
        const fast = parseCanonicalIso(text);
        if (fast !== undefined) expect(fast).toBe(general(text));
      }),
    );
  });
});

describe('parseEventTime', () => {
  it('reads ISO times with and without a zone, and epoch ms', () => {
    expect(parseEventTime('2026-11-26T10:00:00.5Z', 'time')).toEqual({ ok: true, time: Date.parse('2026-11-26T10:00:00.500Z') });
    expect(parseEventTime('2026-11-26T10:00:00', 'time')).toEqual({ ok: true, time: Date.parse('2026-11-26T10:00:00Z') });
    expect(parseEventTime('2026-11-30T10:00:00+01:00', 'time')).toEqual({ ok: true, time: Date.parse('2026-11-30T09:00:00Z') });
    expect(parseEventTime(1_700_000_000_123.7, 'time')).toEqual({ ok: true, time: 1_700_000_000_123 });
  });

  it('names the field and what it found for an unreadable time', () => {
    const r = parseEventTime('yesterday', 'date');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.detail).toMatch(/^date: expected an ISO-8601 time .* found string "yesterday"/);
  });
});
