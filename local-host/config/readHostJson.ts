import { join } from 'node:path';

import { configError } from '../errors';
import { readJsonFile } from './readJsonFile';

/** Parsed host.json of the app ({} when absent). Only version "2.0" exists for v4 apps. */
export function readHostJson(appDir: string): Record<string, unknown> {
  const file = join(appDir, 'host.json');
  const json = readJsonFile(file) ?? {};
  if (json.version !== undefined && json.version !== '2.0') {
    throw configError(`${file}: expected "version": "2.0", found ${JSON.stringify(json.version)}.`);
  }
  return json;
}
