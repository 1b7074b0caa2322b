import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { configError, ensureError } from '../errors';

export interface HostKeys {
  masterKey: string;
  functionKey: string;
  /** Where generated keys live, or undefined when both came from settings. */
  file?: string;
  /** True when this call generated the file (print the keys once). */
  generated: boolean;
}

export const masterKeySetting = 'LOCAL_HOST_MASTER_KEY';
export const functionKeySetting = 'LOCAL_HOST_FUNCTION_KEY';

const newKey = (): string => randomBytes(32).toString('base64url');

/**
 * Keys for --require-keys: LOCAL_HOST_MASTER_KEY / LOCAL_HOST_FUNCTION_KEY settings win; otherwise
 * `<dataDir>/keys.json`, generated on first use so keys stay stable across restarts.
 */
export function loadKeys(dataDir: string, settings: Readonly<Record<string, string | undefined>>): HostKeys {
  const fromSettings = { master: settings[masterKeySetting], fn: settings[functionKeySetting] };
  // An empty key would be matched by a bare `?code=`: refuse it rather than fall back silently.
  for (const [name, value] of [
    [masterKeySetting, fromSettings.master],
    [functionKeySetting, fromSettings.fn],
  ] as const) {
    if (value !== undefined && value.trim() === '')
      throw configError(
        `Setting ${name} is empty; set it to a secret (e.g. 32 random bytes as base64url) or remove it to use a generated key.`,
      );
  }
  if (fromSettings.master && fromSettings.fn)
    return { masterKey: fromSettings.master, functionKey: fromSettings.fn, generated: false };
  const file = join(dataDir, 'keys.json');
  let stored: { masterKey?: unknown; functionKey?: unknown } | undefined;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw configError(
        `${file} is not a valid keys file: ${ensureError(err).message}. Delete it to generate new keys.`,
      );
  }
  let generated = false;
  if (!stored || typeof stored.masterKey !== 'string' || typeof stored.functionKey !== 'string') {
    if (stored)
      throw configError(
        `${file} must hold {"masterKey": "...", "functionKey": "..."}. Delete it to generate new keys.`,
      );
    stored = { masterKey: newKey(), functionKey: newKey() };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    generated = true;
  }
  if ((stored.masterKey as string).trim() === '' || (stored.functionKey as string).trim() === '') {
    throw configError(
      `${file} holds an empty key; every key must be a non-empty secret. Delete the file to generate new keys.`,
    );
  }
  return {
    masterKey: fromSettings.master ?? (stored.masterKey as string),
    functionKey: fromSettings.fn ?? (stored.functionKey as string),
    file,
    generated,
  };
}
