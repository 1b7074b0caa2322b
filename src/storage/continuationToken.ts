import { StorageInputError } from './StorageInputError';

/**
 * The longest token accepted, in characters. A Table token wraps two keys of at most 1 KiB each, encoded twice in
 * base64, so real tokens stay far below this; longer text is refused before it is decoded (a 133 KB token did reach
 * the decoder).
 */
export const MAX_CONTINUATION_TOKEN_LENGTH = 16_384;

/** Wraps a backend's paging state (the Table SDK's token, or a memory offset) as opaque base64url text. */
export function encodeContinuationToken(state: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: state }), 'utf8').toString('base64url');
}

const rejected = (token: string, why: string): StorageInputError =>
  new StorageInputError(
    'continuationToken',
    `continuationToken: expected a token returned by a previous page${why}, found ${JSON.stringify(token.slice(0, 40))}${token.length > 40 ? '…' : ''}`,
  );

/**
 * Inverse of {@link encodeContinuationToken}; rejects text that did not come from it. `isState` checks the wrapped
 * state as the backend will read it, so a well-wrapped token around junk is a 400 here, not a 500 in the backend.
 */
export function decodeContinuationToken(token: string, isState: (state: string) => boolean = () => true): string {
  if (token.length > MAX_CONTINUATION_TOKEN_LENGTH)
    throw rejected(token, ` (at most ${MAX_CONTINUATION_TOKEN_LENGTH} characters; this one has ${token.length})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { v?: unknown }).v === 1) {
    const state = (parsed as { s?: unknown }).s;
    if (typeof state === 'string' && isState(state)) return state;
  }
  throw rejected(token, '');
}

/**
 * Whether `state` is what the Table SDK's own decoder reads without throwing: base64 of a JSON object with a string
 * `nextPartitionKey` and, optionally, a string `nextRowKey` (the SDK decodes each byte as one character, so do we).
 */
export function isTableSdkToken(state: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(state)) return false;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(state, 'base64').toString('latin1'));
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { nextPartitionKey, nextRowKey } = value as { nextPartitionKey?: unknown; nextRowKey?: unknown };
  return (
    typeof nextPartitionKey === 'string' &&
    nextPartitionKey !== '' &&
    (nextRowKey === undefined || typeof nextRowKey === 'string')
  );
}

/** Whether `state` is a memory store's offset: a non-negative integer in decimal. */
export function isOffset(state: string): boolean {
  return /^(0|[1-9]\d{0,15})$/.test(state) && Number.isSafeInteger(Number(state));
}
