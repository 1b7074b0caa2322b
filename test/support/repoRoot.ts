import { resolve } from 'node:path';

/** The repository root (this file lives in test/support). */
export const repoRoot = resolve(__dirname, '..', '..');

/** Absolute folder of a fixture app under test/fixtures/apps. */
export function fixtureApp(name: string): string {
  return resolve(repoRoot, 'test', 'fixtures', 'apps', name);
}
