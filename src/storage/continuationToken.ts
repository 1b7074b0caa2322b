import { StorageInputError } from './StorageInputError';

/** Wraps a backend's paging state (the Table SDK's token, or a memory offset) as opaque base64url text. */
export function encodeContinuationToken(state: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: state }), 'utf8').toString('base64url');
}

/** Inverse of {@link encodeContinuationToken}; rejects text that did not come from it. */
export function decodeContinuationToken(token: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { v?: unknown }).v === 1) {
    const state = (parsed as { s?: unknown }).s;
    if (typeof state === 'string') return state;
  }
  throw new StorageInputError(
    'continuationToken',
    `continuationToken: expected a token returned by a previous page, found ${JSON.stringify(token.slice(0, 40))}`,
  );
}
