import { startAzurite } from '../../local-host/azurite/startAzurite';

export interface TableAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

/** A real in-memory Azurite on free ports (the local host's own starter), so tests never clash on 10000-10002. */
export async function startTableAzurite(): Promise<TableAzurite> {
  const azurite = await startAzurite({ inMemory: true, ports: 0 });
  return { connectionString: azurite.connectionString, stop: () => azurite.stop() };
}
