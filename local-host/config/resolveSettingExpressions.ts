import { configError } from '../errors';

/**
 * Replaces every `%NAME%` in `text` with the setting's value, as the Functions host does for binding
 * options. A missing setting is a start-up error naming `where` (function and binding) and the setting.
 */
export function resolveSettingExpressions(
  text: string,
  settings: Readonly<Record<string, string | undefined>>,
  where: string,
): string {
  return text.replace(/%([^%\s]+)%/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined) {
      throw configError(
        `${where} uses %${name}% but the app setting "${name}" is not defined (add it to local.settings.json Values or the environment).`,
      );
    }
    return value;
  });
}
