/** The shape of one forward-only migration and the per-dialect facts migrations need (differences as data). */
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../database.js';

/** Column facts that differ between SQLite and PostgreSQL. */
export interface SchemaFlavor {
  dialect: StoreDialect;
  /** Type of an auto-numbered primary key column. */
  serialType: 'integer' | 'bigserial';
  /** SQLite needs AUTOINCREMENT so ids of pruned runs are never reused; PostgreSQL's bigserial never reuses them. */
  autoIncrement: boolean;
}

/** The flavor of each dialect. */
export const FLAVORS: Record<StoreDialect, SchemaFlavor> = {
  sqlite: { dialect: 'sqlite', serialType: 'integer', autoIncrement: true },
  postgres: { dialect: 'postgres', serialType: 'bigserial', autoIncrement: false },
};

/** One numbered migration. Written once with Kysely's schema builder; never edited after release. */
export interface Migration {
  version: number;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: a migration runs against the schema as it was then, not as typed now.
  up(db: Kysely<any>, flavor: SchemaFlavor): Promise<void>;
}
