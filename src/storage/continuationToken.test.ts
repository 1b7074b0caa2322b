import { decodeContinuationToken, encodeContinuationToken } from './continuationToken';
import { StorageInputError } from './StorageInputError';

describe('continuation tokens', () => {
  it('round-trip any backend state', () => {
    for (const s of ['', '42', 'eyJuZXh0UGFydGl0aW9uS2V5IjoiYSJ9', 'ü|/#?']) {
      expect(decodeContinuationToken(encodeContinuationToken(s))).toBe(s);
    }
  });

  it('reject foreign text naming the field', () => {
    for (const bad of ['garbage', Buffer.from('{"v":2,"s":"x"}').toString('base64url'), '']) {
      expect(() => decodeContinuationToken(bad)).toThrow(StorageInputError);
      expect(() => decodeContinuationToken(bad)).toThrow(/continuationToken: expected a token returned by a previous page/);
    }
  });
});
