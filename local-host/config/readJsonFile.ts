import { readFileSync } from 'node:fs';

import { configError, ensureError } from '../errors';

/** Reads a JSON object file; `undefined` when absent. Bad JSON or a non-object is a config error naming the file. */
export function readJsonFile(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    // A UTF-8 BOM is common in files written by Windows tools.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw configError(`${file} is not valid JSON: ${ensureError(err).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw configError(
      `${file} must contain a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}.`,
    );
  }
  return parsed as Record<string, unknown>;
}
