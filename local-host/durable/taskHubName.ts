import { configError } from '../errors';

const defaultTaskHubName = 'TestHubName';

/** host.json extensions.durableTask.hubName, else the extension's default. */
export function taskHubName(hostJson: Record<string, unknown>): string {
  const extensions = hostJson.extensions as Record<string, unknown> | undefined;
  const durable = extensions?.durableTask as Record<string, unknown> | undefined;
  const hub = durable?.hubName;
  if (hub === undefined) return defaultTaskHubName;
  if (typeof hub !== 'string' || !/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hub)) {
    throw configError(`Expected host.json extensions.durableTask.hubName to be 3-45 letters and digits starting with a letter but found ${JSON.stringify(hub)}`);
  }
  return hub;
}
