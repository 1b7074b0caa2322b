import fc from 'fast-check';

import { decodeKey, encodeKey } from './encodeKey';

describe('encodeKey', () => {
  it('escapes every character Table keys forbid, and % itself', () => {
    expect(encodeKey('a/b\\c#d?e%f')).toBe('a%2Fb%5Cc%23d%3Fe%25f');
    expect(encodeKey('x\u0000\u001f\u007f\u009fy')).toBe('x%00%1F%7F%9Fy');
  });

  it('leaves ordinary text, including non-ASCII, alone', () => {
    expect(encodeKey('sensor-1.temp|eu west')).toBe('sensor-1.temp|eu west');
    expect(encodeKey('température')).toBe('température');
  });

  it('never emits a forbidden character and round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const encoded = encodeKey(s);
        expect(encoded).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
        expect(decodeKey(encoded)).toBe(s);
      }),
    );
  });

  it('preserves prefixes so RowKey range scans work for prefix queries', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(encodeKey(a + b)).toBe(encodeKey(a) + encodeKey(b));
      }),
    );
  });
});
