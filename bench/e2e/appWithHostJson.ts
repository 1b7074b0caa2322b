import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throw-away copy of the app folder whose host.json has `eventHubs` options overridden (an experiment knob for
 * the bench): package.json and local.settings.json copied, dist and node_modules symlinked to the real ones.
 */
export function appWithEventHubOptions(repoRoot: string, dir: string, eventHubs: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'local.settings.json']) copyFileSync(join(repoRoot, file), join(dir, file));
  const hostJson = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as {
    extensions?: { eventHubs?: Record<string, unknown> };
  };
  hostJson.extensions = { ...hostJson.extensions, eventHubs: { ...hostJson.extensions?.eventHubs, ...eventHubs } };
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson, null, 2));
  for (const link of ['dist', 'node_modules']) symlinkSync(join(repoRoot, link), join(dir, link), 'dir');
  return dir;
}
