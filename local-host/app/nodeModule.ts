import type ModuleType from 'node:module';

// Test runners (jest) hand code a wrapped `module` whose createRequire loads through their own registry,
// which would bypass the Module.prototype.require interception. process.getBuiltinModule (Node >= 20.16)
// always returns Node's real one.
const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;

/** Node's own `module` builtin, even inside a test runner's sandbox. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const NodeModule = (getBuiltinModule?.('node:module') ?? require('node:module')) as typeof ModuleType;
