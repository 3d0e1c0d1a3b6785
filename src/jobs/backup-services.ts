/** Builds the backup dependencies from upkeep's store: the catalog beside it, the adapters, the local drill server. */
import type { Logger } from 'pino';
import { BackupStore } from '../backups/backup-store.js';
import type { DatabaseAdapter } from '../databases/adapter.js';
import { lazyAdapter } from '../databases/lazy-adapter.js';
import { startLocalPostgres } from '../databases/local-postgres.js';
import { postgresAdapter } from '../databases/postgres.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';
import type { Clock } from '../schedule/clock.js';
import type { Database } from '../store/database.js';
import type { BackupDeps } from './backup-work.js';

/** The adapter of each engine upkeep backs up. */
export const databaseAdapters: Record<DatabaseBackupPlan['engine'], DatabaseAdapter> = {
  postgres: postgresAdapter,
  // Loaded on first use: the MongoDB driver is the heaviest module upkeep has, and most plans never touch it.
  mongodb: lazyAdapter({ engine: 'mongodb', format: 'tar', compressed: false }, async () => {
    return (await import('../databases/mongodb.js')).mongodbAdapter;
  }),
};

/** What createBackupDeps needs; `adapters` replaces the real ones in tests. */
export interface BackupServicesOptions {
  database: Database;
  clock: Clock;
  logger: Logger;
  timezone: string;
  tmpDir?: string;
  adapters?: Partial<Record<DatabaseBackupPlan['engine'], DatabaseAdapter>>;
}

/** The catalog and services the job kinds and backup commands use, on upkeep's own store. */
export function createBackupDeps(opts: BackupServicesOptions): BackupDeps & { catalog: BackupStore } {
  const adapters = { ...databaseAdapters, ...opts.adapters };
  return {
    catalog: new BackupStore(opts.database),
    adapterFor(engine) {
      const adapter = adapters[engine];
      if (!adapter) throw new Error(`internal: no database adapter for ${engine}`);
      return adapter;
    },
    clock: opts.clock,
    logger: opts.logger,
    timezone: opts.timezone,
    ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
    startLocalPostgres,
  };
}
