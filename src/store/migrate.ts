/** A tiny forward-only migration runner: numbered migrations recorded in `upkeep_migrations`, newer schemas refused. */
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { StoreSchemaTooNewError, toStoreError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { FLAVORS, type Migration } from './migrations/migration.js';
import type { StoreSchema } from './schema.js';
import { withWriteGate } from './write-gate.js';

// Arbitrary constant shared by every upkeep process: serialises concurrent migrate() calls on one PostgreSQL database.
const PG_MIGRATION_LOCK = 7_306_112_025;

/** Applies pending migrations in one transaction; returns the versions applied (empty when up to date). */
export async function migrateDatabase(
  database: Database,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const flavor = FLAVORS[database.dialect];
  try {
    return await withWriteGate(database.gateKey, async () => {
      return await database.db.transaction().execute(async (trx) => {
        // Lock first: concurrent CREATE TABLE IF NOT EXISTS on PostgreSQL can fail on pg_type's unique index.
        if (database.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
        await trx.schema
          .createTable('upkeep_migrations')
          .ifNotExists()
          .addColumn('version', 'integer', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('applied_at', 'bigint', (c) => c.notNull())
          .execute();
        // On SQLite the transaction began IMMEDIATE: it already holds the write lock, so no second process migrates.
        const current = await currentVersion(trx);
        if (current > known) throw new StoreSchemaTooNewError(current, known);
        const applied: number[] = [];
        for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
          if (migration.version <= current) continue;
          await migration.up(trx, flavor);
          await trx
            .insertInto('upkeep_migrations')
            .values({ version: migration.version, name: migration.name, applied_at: now() })
            .execute();
          applied.push(migration.version);
        }
        return applied;
      });
    });
  } catch (cause) {
    throw toStoreError('migrate', database.where, cause);
  }
}

/** The highest migration recorded in the store (0 for an empty store). */
export async function currentVersion(db: Kysely<StoreSchema>): Promise<number> {
  const row = await db
    .selectFrom('upkeep_migrations')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}
