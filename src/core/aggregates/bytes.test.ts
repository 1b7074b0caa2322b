import fc from 'fast-check';

import { base64Of, ByteReader, ByteWriter, canonicalBase64Bytes, latin1Of } from './bytes';

/** What text() wrote before its ASCII fast path: a varint length and Buffer.from(s, 'utf8'). */
function reference(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const out: number[] = [];
  let z = b.length;
  while (z >= 128) {
    out.push((z % 128) + 128);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.concat([Buffer.from(out), b]).toString('base64');
}

describe('ByteWriter', () => {
  it('writes text as a length and its UTF-8 bytes, ASCII or not (property)', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('', 'PHL', '\uD800', 'x\uDC00y', 'é', 'a'.repeat(127), 'a'.repeat(128), '\u007F\u0080'),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(new ByteWriter().text(s).toBase64()).toBe(reference(s));
        expect(new ByteReader(new ByteWriter().text(s).toBase64(), 'test').text()).toBe(
          Buffer.from(s, 'utf8').toString('utf8'),
        );
      }),
    );
  });

  it('gives each of two writers alive at once its own bytes (the shared buffer is lent to one)', () => {
    const first = new ByteWriter().byte(1).uvarint(300);
    const second = new ByteWriter().byte(2).text('second');
    first.text('first');
    expect(second.toBase64()).toBe(Buffer.from([2, 6, ...Buffer.from('second')]).toString('base64'));
    expect(first.toBase64()).toBe(Buffer.from([1, 0xac, 0x02, 5, ...Buffer.from('first')]).toString('base64'));
    // And after both ended, the next writer starts empty.
    expect(new ByteWriter().byte(3).toBase64()).toBe(Buffer.from([3]).toString('base64'));
  });

  it('writes any number so that number() reads it back as JSON would (-0 as 0), integers in few bytes (property)', () => {
    const numbers = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.constantFrom(
        0,
        -0,
        1,
        -1,
        2 ** 50,
        -(2 ** 50),
        2 ** 50 + 2,
        1_796_682_816_803,
        0.01,
        Number.MAX_VALUE,
        -Infinity,
      ),
    );
    fc.assert(
      fc.property(fc.array(numbers, { maxLength: 20 }), (xs) => {
        const w = new ByteWriter().byte(7);
        for (const x of xs) w.number(x);
        const r = new ByteReader(w.toBase64(), 'test');
        expect(r.byte()).toBe(7);
        for (const x of xs) expect(r.number()).toBe(x + 0);
        r.end();
      }),
    );
    const size = (x: number): number => Buffer.from(new ByteWriter().number(x).toBase64(), 'base64').length;
    expect([0, 12, -3, 1_796_682_816_803, 0.01, 2 ** 51].map(size)).toEqual([1, 1, 1, 7, 9, 9]);
    // An odd tag other than 1 is not a number this writer wrote.
    expect(() => new ByteReader(Buffer.from([3]).toString('base64'), 'test').number()).toThrow(
      'test encoding: expected a number at offset 0, found the tag 3',
    );
  });

  it('writes canonical base64 as its bytes, read back as the same text, and refuses any other text (property)', () => {
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
      fc.base64String(),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', 'AQB7FK5H4XqEPwACuAICAA==', 'AB==', 'AR==', 'A===', '====', 'QQ', 'Q Q=', 'é==='),
    );
    fc.assert(
      fc.property(text, (s) => {
        const canonical = Buffer.from(s, 'base64').toString('base64') === s;
        expect(canonicalBase64Bytes(s)).toBe(canonical ? Buffer.from(s, 'base64').length : -1);
        const w = new ByteWriter().byte(5);
        expect(w.base64(s)).toBe(canonical);
        const r = new ByteReader(w.byte(6).toBase64(), 'test');
        expect(r.byte()).toBe(5);
        if (canonical) expect(r.base64()).toBe(s);
        expect(r.byte()).toBe(6);
        r.end();
      }),
      { numRuns: 500 },
    );
  });

  it('grows past its buffer', () => {
    const big = Buffer.alloc(10_000, 7);
    const w = new ByteWriter().byte(9).bytes(big);
    expect(Buffer.from(w.toBase64(), 'base64')).toEqual(Buffer.concat([Buffer.from([9]), big]));
  });

  it('refuses to be written or read after toBase64, when its buffer may be lent to another writer', () => {
    const w = new ByteWriter().byte(1);
    w.toBase64();
    expect(() => w.byte(2)).toThrow('ByteWriter: written after toBase64 (a writer encodes once)');
    expect(() => w.text('x')).toThrow('ByteWriter: written after toBase64 (a writer encodes once)');
    expect(() => w.toBase64()).toThrow('ByteWriter: toBase64 called twice (a writer encodes once)');
  });
});

describe.each([
  ['base64Of', base64Of, 'base64'],
  ['latin1Of', latin1Of, 'latin1'],
] as const)('%s', (_name, slice, encoding) => {
  it(`is buf.toString('${encoding}', start, end) for any bytes and range (property)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = a % (buf.length + 1);
        const end = start + (b % (buf.length - start + 1));
        expect(slice(buf, start, end)).toBe(buf.toString(encoding, start, end));
      }),
    );
  });
});
