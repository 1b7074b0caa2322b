import { resolveSettingExpressions } from '../../config/resolveSettingExpressions';
import { configError } from '../../errors';

const defaultTaskHubName = 'TestHubName';

/** host.json extensions.durableTask.hubName with `%NAME%` resolved from settings (as the extension does), else the extension's default. */
export function taskHubName(
  hostJson: Record<string, unknown>,
  settings: Readonly<Record<string, string | undefined>>,
): string {
  const extensions = hostJson.extensions as Record<string, unknown> | undefined;
  const durable = extensions?.durableTask as Record<string, unknown> | undefined;
  const raw = durable?.hubName;
  if (raw === undefined) return defaultTaskHubName;
  const hub =
    typeof raw === 'string'
      ? resolveSettingExpressions(raw, settings, 'host.json extensions.durableTask.hubName')
      : raw;
  if (typeof hub !== 'string' || !/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hub)) {
    throw configError(
      `Expected host.json extensions.durableTask.hubName to be 3-45 letters and digits starting with a letter but found ${JSON.stringify(hub)}`,
    );
  }
  return hub;
}
