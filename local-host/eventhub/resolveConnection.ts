import { configError } from '../errors';

/**
 * Where an Event Hubs connection setting points. The local hub is used when the setting is missing or
 * empty (and has no `__fullyQualifiedNamespace`), or holds `UseLocalEventHub=true`.
 */
export type HubConnection =
  | { kind: 'local' }
  | { kind: 'connectionString'; connectionString: string; entityPath?: string; emulator: boolean }
  | { kind: 'identity'; fullyQualifiedNamespace: string };

function parts(connectionString: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return map;
}

export function resolveConnection(
  connection: string,
  settings: Readonly<Record<string, string | undefined>>,
): HubConnection {
  const value = settings[connection]?.trim() ?? '';
  const namespace = (
    settings[`${connection}__fullyQualifiedNamespace`] ?? settings[`${connection}:fullyQualifiedNamespace`]
  )?.trim();
  if (value === '') return namespace ? { kind: 'identity', fullyQualifiedNamespace: namespace } : { kind: 'local' };
  const p = parts(value);
  if (p.get('uselocaleventhub')?.toLowerCase() === 'true') return { kind: 'local' };
  const emulator = p.get('usedevelopmentemulator')?.toLowerCase() === 'true';
  const endpoint = p.get('endpoint');
  if (endpoint && /^sb:\/\//i.test(endpoint)) {
    return { kind: 'connectionString', connectionString: value, entityPath: p.get('entitypath'), emulator };
  }
  throw configError(
    `App setting "${connection}" should hold an Event Hubs connection string ("Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=..." or the emulator's "...;UseDevelopmentEmulator=true"), or "UseLocalEventHub=true" for the local hub, or be empty with "${connection}__fullyQualifiedNamespace" set for identity-based access; found a value starting ${JSON.stringify(value.slice(0, 24))}.`,
  );
}
