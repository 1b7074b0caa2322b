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
    for (const text of [
      '2026-11-26T10:00:00+01:00',
      '2026-11-26 10:00:00Z',
      '2026-11-26T10:00Z',
      '2026-11-29T10:00:00Z',
      '0099-01-01T00:00:00Z',
      '2026-11-26T10:00:00.Z',
      '2026-13-01T00:00:00Z',
      '2026-11-26T1a:00:00Z',
      '2026-11-26t10:00:00z',
      // Characters just outside the digits, and digits that are not ASCII: never read as digits.
      '2026-11-26T10:0/:00Z',
      '2026-11-26T10:00::0Z',
      '2026-11-2\uFF16T10:00:00Z',
      '\u0662026-11-26T10:00:00Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T10:60:00Z',
      '2026-11-26T10:00:60Z',
      '2026-00-26T10:00:00Z',
      '2026-11-00T10:00:00Z',
    ]) {
      expect(parseCanonicalIso(text)).toBeUndefined();
    }
  });

  it('agrees with Date.parse on any canonical time', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0100-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 6 }),
        (date, extra) => {
          const iso = date.toISOString();
          const text = extra === 0 ? iso.replace(/\.\d+Z$/, 'Z') : iso.replace('Z', `${'7'.repeat(extra)}Z`);
          const fast = parseCanonicalIso(text);
          if (fast !== undefined) expect(fast).toBe(general(text));
        },
      ),
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
    expect(parseEventTime('2026-11-26T10:00:00.5Z', 'time')).toEqual({
      ok: true,
      time: Date.parse('2026-11-26T10:00:00.500Z'),
    });
    expect(parseEventTime('2026-11-26T10:00:00', 'time')).toEqual({
      ok: true,
      time: Date.parse('2026-11-26T10:00:00Z'),
    });
    expect(parseEventTime('2026-11-30T10:00:00+01:00', 'time')).toEqual({
      ok: true,
      time: Date.parse('2026-11-30T09:00:00Z'),
    });
    expect(parseEventTime(1_700_000_000_123.7, 'time')).toEqual({ ok: true, time: 1_700_000_000_123 });
  });

  it('names the field and what it found for an unreadable time', () => {
    const r = parseEventTime('yesterday', 'date');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.detail).toMatch(/^date: expected an ISO-8601 time .* found string "yesterday"/);
  });
});

describe('parseEventTime calendar checks and range', () => {
  it('rejects dates and times that Date.parse would roll over, naming the field that is out of range', () => {
    const cases: [string, RegExp][] = [
      ['2026-02-30', /expected a day from 01 to 28 in 2026-02, found string "2026-02-30"/],
      ['2026-02-30T10:00:00Z', /expected a day from 01 to 28 in 2026-02/],
      ['2026-04-31T00:00:00Z', /expected a day from 01 to 30 in 2026-04/],
      ['2026-13-01', /expected a month from 01 to 12/],
      ['2026-00-10T00:00:00Z', /expected a month from 01 to 12/],
      ['2026-01-01T24:00:01Z', /expected an hour from 00 to 23/],
      ['2026-01-01T24:00:00', /expected an hour from 00 to 23/],
      ['2026-01-01T10:60:00Z', /expected minutes from 00 to 59/],
      ['2026-01-01T10:00:60Z', /expected seconds from 00 to 59/],
      ['2026-01-01T10:00:00+24:00', /expected a zone offset from -23:59 to \+23:59/],
    ];
    for (const [text, message] of cases) {
      const r = parseEventTime(text, 'time');
      expect([text, r.ok]).toEqual([text, false]);
      expect(!r.ok && r.detail).toMatch(new RegExp(`^time: ${message.source}`));
    }
    // Leap years are not out of range.
    expect(parseEventTime('2024-02-29T12:00:00Z', 'time')).toEqual({ ok: true, time: Date.UTC(2024, 1, 29, 12) });
    expect(parseEventTime('2000-02-29', 'time')).toEqual({ ok: true, time: Date.UTC(2000, 1, 29) });
    expect(parseEventTime('1900-02-29', 'time').ok).toBe(false);
  });

  it('says a time before 1970 or after 9999 is out of range, not unreadable', () => {
    expect(parseEventTime('0001-01-01T00:00:00Z', 'time')).toEqual({
      ok: false,
      detail: 'time: expected a time at or after 1970-01-01T00:00:00Z, found string "0001-01-01T00:00:00Z"',
    });
    expect(parseEventTime('1969-12-31T23:59:59Z', 'time')).toEqual({
      ok: false,
      detail: 'time: expected a time at or after 1970-01-01T00:00:00Z, found string "1969-12-31T23:59:59Z"',
    });
    expect(parseEventTime('9999-12-31T23:00:00-05:00', 'time')).toEqual({
      ok: false,
      detail: 'time: expected a time at or before 9999-12-31T23:59:59.999Z, found string "9999-12-31T23:00:00-05:00"',
    });
    expect(parseEventTime(-1, 'time')).toEqual({
      ok: false,
      detail:
        'time: expected a time at or after 1970-01-01T00:00:00Z (epoch milliseconds 0 to 253402300799999), found number -1',
    });
    expect(parseEventTime('1970-01-01T00:00:00Z', 'time')).toEqual({ ok: true, time: 0 });
  });

  it('agrees with Date.parse on every valid ISO text of the shapes it reads', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('Z', '+01:00', '-0530', ''),
        fc.constantFrom('T', ' '),
        fc.integer({ min: 0, max: 5 }),
        (date, zone, sep, fractionDigits) => {
          const d = date;
          const fraction =
            fractionDigits === 0
              ? ''
              : `.${pad(d.getUTCMilliseconds(), 3)}${'4'.repeat(fractionDigits)}`.slice(0, fractionDigits + 1);
          const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}${sep}${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${fraction}${zone}`;
          const r = parseEventTime(text, 'time');
          const expected = Date.parse(`${text.replace(' ', 'T')}${zone === '' ? 'Z' : ''}`);
          expect(r).toEqual({ ok: true, time: expected });
        },
      ),
    );
  });
});
