import type { AzuritePorts } from './startAzurite';

const localHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
const emulatorPorts = new Set([10000, 10001, 10002]);

/**
 * The ports to start Azurite on for a storage connection setting, or undefined when it names another
 * account (or is empty/identity-based): "UseDevelopmentStorage=true" or endpoints at 127.0.0.1:10000-10002.
 */
export function azuritePortsFor(connection: string | undefined): AzuritePorts | undefined {
  if (!connection) return undefined;
  const parts = new Map<string, string>();
  for (const piece of connection.split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return { blob: 10000, queue: 10001, table: 10002 };
  const ports: AzuritePorts = {};
  for (const service of ['blob', 'queue', 'table'] as const) {
    const endpoint = parts.get(`${service}endpoint`);
    if (!endpoint) continue;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      continue;
    }
    const port = Number(url.port);
    if (localHosts.has(url.hostname) && emulatorPorts.has(port)) ports[service] = port;
  }
  return Object.keys(ports).length > 0 ? { blob: 10000, queue: 10001, table: 10002, ...ports } : undefined;
}
