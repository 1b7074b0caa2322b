import { join } from 'node:path';

import { configError } from '../errors';
import { readJsonFile } from './readJsonFile';

export interface LocalSettings {
  values: Record<string, string>;
  connectionStrings: Record<string, string>;
}

/** Reads local.settings.json (Values and ConnectionStrings); both empty when the file is absent. */
export function readLocalSettings(appDir: string): LocalSettings {
  const file = join(appDir, 'local.settings.json');
  const json = readJsonFile(file);
  if (!json) return { values: {}, connectionStrings: {} };
  if (json.IsEncrypted === true) {
    throw configError(`${file} is encrypted ("IsEncrypted": true); decrypt it with \`func settings decrypt\` first.`);
  }
  return {
    values: stringMap(json.Values, `${file} Values`),
    connectionStrings: stringMap(json.ConnectionStrings, `${file} ConnectionStrings`),
  };
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError(
      `${where} must be an object of strings, found ${Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = v;
    // func accepts numbers and booleans and passes them on as text.
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw configError(`${where}.${key} must be a string, found ${v === null ? 'null' : typeof v}.`);
  }
  return out;
}
