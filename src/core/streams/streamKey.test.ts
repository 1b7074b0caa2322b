import fc from 'fast-check';

import { decodeStreamKey, encodeStreamKey, MAX_STREAM_KEY_BYTES, streamKeyProblem } from './streamKey';

describe('encodeStreamKey / decodeStreamKey', () => {
  it('round-trips every pair of well-formed strings and uses only unreserved URL characters', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        fc.string({ minLength: 1, unit: 'grapheme' }),
        (pipeline, stream) => {
          const key = encodeStreamKey(pipeline, stream);
          expect(key).toMatch(/^[A-Za-z0-9_.-]+$/);
          expect(encodeURIComponent(key)).toBe(key);
          expect(decodeStreamKey(key)).toEqual({ pipeline, stream });
        },
      ),
    );
  });

  it('gives different pairs different keys, also where a plain join would collide', () => {
    expect(encodeStreamKey('a|b', 'c')).not.toBe(encodeStreamKey('a', 'b|c'));
    expect(encodeStreamKey('p', 's-001?op=reset&')).not.toBe(encodeStreamKey('p', 's-001'));
    expect(encodeStreamKey('p', 'q4%2Fb')).not.toBe(encodeStreamKey('p', 'q4/b'));
  });

  it('keeps hostile names intact', () => {
    for (const stream of [
      's-001?op=reset&',
      '/../../../instances/x/terminate?x=&',
      'a#b',
      'q4%2Fb',
      'back\\slash',
      '..',
      'tab\there',
      'emoji 🚀',
      'שלום',
      'a|b',
    ]) {
      expect(decodeStreamKey(encodeStreamKey('default', stream))).toEqual({ pipeline: 'default', stream });
    }
  });

  it('refuses a lone surrogate instead of encoding it as another name', () => {
    expect(() => encodeStreamKey('p', 'x\uD800')).toThrow(/lone surrogate/);
  });

  it('decodes only keys it produced', () => {
    for (const key of ['', '.', 'abc', 'a.', '.b', 'a.b.c', 'a b.c', 'YQ==.Yg', 'YR.Yg'])
      expect(decodeStreamKey(key)).toBeUndefined();
  });
});

describe('streamKeyProblem', () => {
  it('accepts well-formed keys up to the byte limit and names the rule otherwise', () => {
    expect(streamKeyProblem('s-1')).toBeUndefined();
    expect(streamKeyProblem('é'.repeat(MAX_STREAM_KEY_BYTES / 2))).toBeUndefined();
    expect(streamKeyProblem('é'.repeat(MAX_STREAM_KEY_BYTES / 2 + 1))).toMatch(/at most 256 UTF-8 bytes, found 258/);
    expect(streamKeyProblem('')).toMatch(/non-empty/);
    expect(streamKeyProblem('a\uDC00b')).toMatch(/lone surrogate/);
  });
});
