/** The Store contract on PostgreSQL: a fresh database per test on the cluster scripts/test.mjs starts. */
import { test } from 'node:test';
import { openDatabase } from '../store/database.js';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { KyselyStore } from './kysely-store.js';
import { runStoreContract } from './store.contract.js';

const skip = postgresSkipReason();
if (skip !== undefined) {
  test('Store contract: postgres', (t) => t.skip(skip));
} else {
  runStoreContract('postgres', async () => {
    const database = await freshPostgresDatabase();
    const opened: KyselyStore[] = [];
    const open = (readOnly: boolean) => {
      const db = openDatabase({ databaseUrl: database.url, poolSize: 4 });
      // Every new connection of this pool refuses writes, the way a read-only replica or a full disk would.
      if (readOnly) {
        db.pool?.on('connect', (client) => {
          // pg queues this ahead of the store's first query on the connection; a failure shows up on that query.
          client.query('set default_transaction_read_only = on').catch(() => undefined);
        });
      }
      const store = new KyselyStore(db);
      opened.push(store);
      return Promise.resolve(store);
    };
    return {
      open: () => open(false),
      openReadOnly: () => open(true),
      dispose: async () => {
        await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
        await database.drop();
      },
    };
  });
}
