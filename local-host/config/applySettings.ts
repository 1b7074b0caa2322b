import type { LocalSettings } from './readLocalSettings';

/**
 * Copies local.settings.json into the environment like `func start`: a variable already set wins, so
 * a shell export overrides the file. Connection strings appear as `ConnectionStrings:<name>`.
 * Returns the names that were applied.
 */
export function applySettings(settings: LocalSettings, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  const entries: [string, string][] = [
    ...Object.entries(settings.values),
    ...Object.entries(settings.connectionStrings).map(([k, v]): [string, string] => [`ConnectionStrings:${k}`, v]),
  ];
  for (const [key, value] of entries) {
    if (env[key] === undefined) {
      env[key] = value;
      applied.push(key);
    }
  }
  return applied;
}
