import {
  decodeContinuationToken,
  encodeContinuationToken,
  isOffset,
  isTableSdkToken,
  MAX_CONTINUATION_TOKEN_LENGTH,
} from './continuationToken';
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
      expect(() => decodeContinuationToken(bad)).toThrow(
        /continuationToken: expected a token returned by a previous page/,
      );
    }
  });

  it('reject a wrapped state the backend could not read, and overlong text, naming the field', () => {
    expect(() => decodeContinuationToken(encodeContinuationToken('junk'), isOffset)).toThrow(
      /^continuationToken: expected a token returned by a previous page, found "/,
    );
    expect(decodeContinuationToken(encodeContinuationToken('25'), isOffset)).toBe('25');
    const long = 'x'.repeat(MAX_CONTINUATION_TOKEN_LENGTH + 1);
    expect(() => decodeContinuationToken(long)).toThrow(StorageInputError);
    expect(() => decodeContinuationToken(long)).toThrow(
      `(at most ${MAX_CONTINUATION_TOKEN_LENGTH} characters; this one has ${MAX_CONTINUATION_TOKEN_LENGTH + 1})`,
    );
  });

  it('know the shapes their backends read', () => {
    const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
    expect(isTableSdkToken(b64('{"nextPartitionKey":"p","nextRowKey":"r"}'))).toBe(true);
    expect(isTableSdkToken(b64('{"nextPartitionKey":"p"}'))).toBe(true);
    for (const bad of [
      '',
      'not base64!',
      b64('{'),
      b64('null'),
      b64('{"nextPartitionKey":""}'),
      b64('{"nextPartitionKey":1}'),
    ])
      expect(isTableSdkToken(bad)).toBe(false);
    expect(['0', '100'].map(isOffset)).toEqual([true, true]);
    expect(['', '-1', '01', '1.5', '1e3', '99999999999999999'].map(isOffset)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
