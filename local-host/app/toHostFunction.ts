import { randomUUID } from 'node:crypto';

import { resolveSettingExpressions } from '../config/resolveSettingExpressions';
import { appError } from '../errors';
import type { BindingInfo, HostFunction } from '../extension';
import type { CoreFunctionMetadata } from './coreTypes';

/**
 * Turns a registration's metadata into the host's view: bindings as a list with `%NAME%` in option strings
 * resolved from settings, the trigger found, directions checked.
 */
export function toHostFunction(
  metadata: CoreFunctionMetadata,
  settings: Readonly<Record<string, string | undefined>>,
): HostFunction {
  const fnName = metadata.name;
  if (typeof fnName !== 'string' || fnName === '') throw appError('A function was registered without a name.');
  const bindings: BindingInfo[] = [];
  for (const [name, raw] of Object.entries(metadata.bindings ?? {})) {
    const where = `Function "${fnName}" binding "${name}"`;
    const { type, direction, ...options } = raw;
    if (typeof type !== 'string' || type === '') throw appError(`${where} has no type.`);
    if (direction !== 'in' && direction !== 'out' && direction !== 'inout') {
      throw appError(`${where} has direction ${JSON.stringify(direction)}; expected "in", "out" or "inout".`);
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options))
      resolved[key] = resolveValue(value, settings, `${where} option "${key}"`);
    bindings.push({ ...resolved, name, type, direction });
  }
  const triggers = bindings.filter((b) => /trigger$/i.test(b.type));
  const trigger = triggers[0];
  if (!trigger || triggers.length > 1) {
    throw appError(`Function "${fnName}" must have exactly one trigger binding, found ${triggers.length}.`);
  }
  return {
    name: fnName,
    id: typeof metadata.functionId === 'string' ? metadata.functionId : randomUUID(),
    trigger,
    bindings,
    ...(metadata.retryOptions === undefined ? {} : { retryOptions: metadata.retryOptions }),
  };
}

function resolveValue(value: unknown, settings: Readonly<Record<string, string | undefined>>, where: string): unknown {
  if (typeof value === 'string') return resolveSettingExpressions(value, settings, where);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, settings, where));
  return value;
}
