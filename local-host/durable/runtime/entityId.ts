/** The scheduler id the SDK uses for an entity: `@name@key`, name lowercased (EntityId.getSchedulerIdFromEntityId). */
export function entitySchedulerId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function parseEntitySchedulerId(id: string): { name: string; key: string } {
  const pos = id.indexOf('@', 1);
  if (!id.startsWith('@') || pos < 0) throw new Error(`Expected an entity id like '@name@key' but found '${id}'`);
  return { name: id.substring(1, pos), key: id.substring(pos + 1) };
}
