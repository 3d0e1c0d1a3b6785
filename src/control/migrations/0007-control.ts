/**
 * Migration 7: overrides, the runtime decisions beside the plan (pause, silence, ad-hoc maintenance, acknowledgement).
 * The plan file is never edited; an override row records who decided what, why, until when, and who cleared it.
 * The audit log of actions lives with accounts (migration 6).
 */
import type { Migration } from '../../store/migrations/migration.js';

/** Adds the overrides table. */
export const migration0007: Migration = {
  version: 7,
  name: 'control',
  async up(db, flavor) {
    await db.schema
      .createTable('overrides')
      .addColumn('id', flavor.serialType, (c) =>
        flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('app', 'text')
      .addColumn('unit_id', 'text')
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('starts_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('cleared_at', 'bigint')
      .addColumn('cleared_by', 'text')
      .execute();
    // The cache's refresh reads the uncleared rows; cleared ones are history.
    await db.schema
      .createIndex('overrides_cleared_idx')
      .on('overrides')
      .columns(['cleared_at', 'expires_at'])
      .execute();
  },
};
