import Module from 'node:module';
import { pathToFileURL } from 'node:url';

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
  // Node's own require (not a bundler's or test runner's), so the app's requires pass Module.prototype.require.
  const nodeRequire = Module.createRequire(file);
  // A fresh load registers the functions again when the same app is loaded twice in one process (tests).
  delete nodeRequire.cache[file];
  nodeRequire(file);
}
