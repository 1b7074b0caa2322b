import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { HostFunction } from '../extension';
import { sendText } from '../http/sendText';
import type { HostKeys } from './loadKeys';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export type AuthResult = { ok: true } | { ok: false; message: string };

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The key a caller presented: `x-functions-key` header, else `code` query parameter. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value ?? url.searchParams.get('code') ?? undefined;
}

/** Checks a presented key against an auth level as the host does: function level takes function or master key, admin only the master key. */
export function checkKey(keys: HostKeys, level: AuthLevel, key: string | undefined): AuthResult {
  if (level === 'anonymous') return { ok: true };
  if (key !== undefined && same(key, keys.masterKey)) return { ok: true };
  if (level === 'function' && key !== undefined && same(key, keys.functionKey)) return { ok: true };
  const needed = level === 'admin' ? 'the master key' : 'a function key or the master key';
  return {
    ok: false,
    message: `${key === undefined ? 'Missing key' : 'Invalid key'}: this endpoint requires ${needed} in the x-functions-key header or the code query parameter.`,
  };
}

/** An HTTP trigger's authLevel (the library defaults it to anonymous; the host defaults to function). */
export function authLevelOf(value: unknown): AuthLevel {
  const level = typeof value === 'string' ? value.toLowerCase() : 'function';
  return level === 'anonymous' || level === 'admin' ? level : 'function';
}

/** The function-route check for the HTTP handler: answers 401 itself when the key is missing or wrong. */
export function createAuthorizer(
  keys: HostKeys | undefined,
): (req: IncomingMessage, res: ServerResponse, url: URL, fn: HostFunction) => boolean {
  return (req, res, url, fn) => {
    if (!keys) return true;
    const auth = checkKey(keys, authLevelOf(fn.trigger.authLevel), presentedKey(req, url));
    if (!auth.ok) sendText(res, 401, auth.message);
    return auth.ok;
  };
}
