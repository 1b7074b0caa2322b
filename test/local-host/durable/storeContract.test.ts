import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MemoryStore } from '../../../local-host/durable/store/memoryStore';
import { SqliteStore } from '../../../local-host/durable/store/sqliteStore';
import { describeDurableStoreContract } from './storeContract';

describeDurableStoreContract('memory', () => ({ store: new MemoryStore() }));

describeDurableStoreContract('sqlite', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'durable-store-')), 'hub.sqlite');
  return { store: new SqliteStore(file), reopen: () => new SqliteStore(file) };
});
