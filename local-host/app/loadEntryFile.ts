import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';

import { NodeModule as Module } from './nodeModule';

// TypeScript compiles `import()` to `require()` under CommonJS, which cannot load ES modules on Node 20.
// The worker works around this the same way: a constant (never user) source text that keeps a real import().
// eslint-disable-next-line no-new-func
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Loads one entry file like the worker: ES module when .mjs or package "type": "module" (and not .cjs). */
export async function loadEntryFile(file: string, isModule: boolean): Promise<void> {
  const esm = file.endsWith('.mjs') || (isModule && !file.endsWith('.cjs'));
  if (esm) {
    await importModule(pathToFileURL(file).href);
    return;
  }
  // Node's own loader, not a test runner's: jest wraps createRequire but not Module._load, and only modules
  // Node loads itself send their requires through Module.prototype.require, where the core API is served.
  const loader = Module as unknown as { _load(request: string, parent: null, isMain: boolean): unknown };
  loader._load(file, null, false);
}

/**
 * Forgets the app's own modules (not its node_modules) so loading the same app twice in one process
 * registers its functions again (tests). Done once per load, not per entry file: an entry file that
 * another entry file already required must not run twice, or it would register its functions twice.
 */
export function forgetAppModules(appDir: string): void {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  const root = appDir.endsWith(sep) ? appDir : appDir + sep;
  for (const file of Object.keys(cache)) {
    if (file.startsWith(root) && !file.includes(`${sep}node_modules${sep}`)) delete cache[file];
  }
}
