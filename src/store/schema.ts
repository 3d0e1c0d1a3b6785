/**
 * Row types of the seam's own tables as Kysely sees them (timestamps are bigint ms, JSON is text, booleans are 0/1).
 * Each capability declares its tables in its own `*-schema.ts` beside its store.
 */

/** `upkeep_migrations`: which numbered migrations have run. */
export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

/** `upkeep_meta`: small key/value facts (the ping row). */
export interface MetaTable {
  key: string;
  value: string;
}

/** The tables of the database seam itself; each capability's schema extends it with its own tables. */
export interface StoreSchema {
  upkeep_migrations: MigrationsTable;
  upkeep_meta: MetaTable;
}

/** The seam's table names, for size accounting and test clean-up. */
export const SEAM_TABLES = ['upkeep_migrations', 'upkeep_meta'] as const;
