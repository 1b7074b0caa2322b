/**
 * What the app's TypeScript reads from its environment, found by reading the source as text, so that the infra tests
 * follow the code instead of a copied list.
 */

/**
 * Setting names a source file reads: `process.env.X`, `env.X`, `env['X']`, `%X%` binding expressions, UPPER_SNAKE
 * literals handed to a function together with an env object (`raw(env, 'X')`), and template names built from a
 * constant of the same file (`const SETTING = 'X'` and `` env[`${SETTING}__accountName`] ``).
 */
export function settingNamesRead(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b(?:process\.)?env\??\.([A-Za-z_]\w*)/g)) names.add(m[1] as string);
  for (const m of source.matchAll(/\b(?:process\.)?env\s*\[\s*['"]([A-Za-z_]\w*)['"]\s*\]/g)) names.add(m[1] as string);
  for (const m of source.matchAll(/['"`]%([A-Za-z_]\w*)%['"`]/g)) names.add(m[1] as string);
  for (const m of source.matchAll(/\benv\s*,\s*['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g)) names.add(m[1] as string);
  const constants = new Map(
    [...source.matchAll(/\bconst\s+([A-Z_][A-Z0-9_]*)\s*=\s*'([A-Za-z_]\w*)'/g)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );
  for (const m of source.matchAll(/\benv\s*\[\s*([A-Z_][A-Z0-9_]*)\s*\]/g)) {
    const value = constants.get(m[1] as string);
    if (value) names.add(value);
  }
  for (const m of source.matchAll(/\benv\s*\[\s*`\$\{([A-Z_][A-Z0-9_]*)\}(\w*)`\s*\]/g)) {
    const value = constants.get(m[1] as string);
    if (value) names.add(`${value}${m[2] as string}`);
  }
  return [...names].sort();
}

/** Connection prefixes of bindings and triggers: the string values of `connection:` options. */
export function connectionsUsed(source: string): string[] {
  return [
    ...new Set([...source.matchAll(/\bconnection\s*:\s*['"]([A-Za-z_]\w*)['"]/g)].map((m) => m[1] as string)),
  ].sort();
}

/** UPPER_SNAKE object keys (schema fields, lookup tables) in a settings module: the app setting names it defines. */
export function settingsModuleKeys(source: string): string[] {
  return [
    ...new Set([...source.matchAll(/^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*:/gm)].map((m) => m[1] as string)),
  ].sort();
}

/** The string default of a settings-module field written as `NAME: helper('value')`, if there is one. */
export function settingDefault(source: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}\\s*:\\s*\\w+\\('([^']*)'`, 'm').exec(source)?.[1];
}

/** Table names the code uses: `const X_TABLE = 'Name'` constants and the values of a `TABLE_NAMES = {...}` object. */
export function tableNamesUsed(source: string): string[] {
  const names = [...source.matchAll(/\bconst\s+\w*_TABLE\s*=\s*'([^']+)'/g)].map((m) => m[1] as string);
  const table = /\bTABLE_NAMES\s*=\s*\{([^}]*)\}/.exec(source)?.[1];
  if (table) names.push(...[...table.matchAll(/:\s*'([^']+)'/g)].map((m) => m[1] as string));
  return [...new Set(names)].sort();
}

/**
 * Whether a Node major version satisfies an engines range made of `>=`, `>`, `<=`, `<` comparators on major[.minor]
 * versions (space-separated, all must hold). Anything else is an error: a range this cannot read is not "satisfied".
 */
export function majorSatisfies(major: number, range: string): boolean {
  const parts = range.trim().split(/\s+/);
  return parts.every((part) => {
    const m = /^(>=|>|<=|<)(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(part);
    if (!m)
      throw new Error(
        `engines.node: expected comparators such as ">=20" or ">=20 <23", found ${JSON.stringify(range)}`,
      );
    const bound = Number(m[2]);
    const exactMajor =
      (m[3] === undefined || m[3] === '0' || m[3] === 'x') && (m[4] === undefined || m[4] === '0' || m[4] === 'x');
    switch (m[1]) {
      case '>=':
        // ">=20.5" is not met by every 20.x, so a major only counts when the bound is a whole major.
        return major > bound || (major === bound && exactMajor);
      case '>':
        return major > bound;
      case '<=':
        return major <= bound;
      default:
        return major < bound;
    }
  });
}
