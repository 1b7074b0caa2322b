import { createHmac, timingSafeEqual } from 'node:crypto';

import type { HostRouteKeyLevel } from '../extension';
import { type AuthResult, checkKey } from './createAuthorizer';
import type { HostKeys } from './loadKeys';

/**
 * The durable extension's system key (Azure calls it `durabletask_extension`). Derived from the master key, so it is
 * stable across restarts, changes when the master key changes, and needs no storage of its own.
 */
export function systemKeyOf(keys: HostKeys): string {
  return createHmac('sha256', keys.masterKey).update('durabletask_extension').digest('base64url');
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Checks a key for a host route: 'system' takes the system key or the master key; other levels as for functions. */
export function checkHostRouteKey(keys: HostKeys, level: HostRouteKeyLevel, key: string | undefined): AuthResult {
  if (level !== 'system') return checkKey(keys, level, key);
  if (key !== undefined && (same(key, systemKeyOf(keys)) || same(key, keys.masterKey))) return { ok: true };
  return {
    ok: false,
    message: `${key === undefined ? 'Missing key' : 'Invalid key'}: this endpoint requires the durable system key or the master key in the x-functions-key header or the code query parameter (a function key is not enough).`,
  };
}
