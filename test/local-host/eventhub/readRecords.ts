import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture's per-invocation records (<dir>/<name>.ndjson). */
export function readRecords<T>(dir: string, name: string): T[] {
  const file = join(dir, `${name}.ndjson`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
