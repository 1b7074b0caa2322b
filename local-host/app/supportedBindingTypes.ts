/** Binding types the host's core handles itself; extensions add theirs. Lower-case for comparison. */
export const coreBindingTypes: readonly string[] = ['httptrigger', 'http', 'timertrigger'];

export function isCoreBindingType(type: string): boolean {
  return coreBindingTypes.includes(type.toLowerCase());
}
