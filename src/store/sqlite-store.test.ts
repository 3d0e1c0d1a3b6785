/** The Store contract on SQLite: a fresh temp data dir per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { KyselyStore } from './kysely-store.js';
import { runStoreContract } from './store.contract.js';

runStoreContract('sqlite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'upkeep-store-'));
  return {
    open: async () => new KyselyStore(openDatabase({ dataDir })),
    openReadOnly: async () => {
      const database = openDatabase({ dataDir });
      // The same refusal a full disk or read-only file gives, on this connection only (chmod means nothing to root).
      database.sqlite?.pragma('query_only = ON');
      return new KyselyStore(database);
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
