import { appError } from '../errors';
import type { HostExtension } from '../extension';
import { isCoreBindingType } from './supportedBindingTypes';

/** The extension owning each binding type (lower-case); a type claimed twice or a core type claimed is an error. */
export function ownersByType(extensions: readonly HostExtension[]): Map<string, HostExtension> {
  const owners = new Map<string, HostExtension>();
  for (const ext of extensions) {
    for (const type of ext.bindingTypes) {
      const key = type.toLowerCase();
      const other = owners.get(key);
      if (other)
        throw appError(`Binding type "${type}" is claimed by both the "${other.name}" and "${ext.name}" extensions.`);
      if (isCoreBindingType(key)) throw appError(`Extension "${ext.name}" claims the core binding type "${type}".`);
      owners.set(key, ext);
    }
  }
  return owners;
}
