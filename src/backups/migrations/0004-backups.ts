/** Migration 4: the backup catalog (one row per backup run, with its state, checksums and counts). */
import type { Migration } from '../../store/migrations/migration.js';

/** Creates `backups`. */
export const migration0004: Migration = {
  version: 4,
  name: 'backups',
  async up(db) {
    await db.schema
      .createTable('backups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app', 'text', (c) => c.notNull())
      .addColumn('database_name', 'text', (c) => c.notNull())
      .addColumn('engine', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('taken_at', 'bigint')
      .addColumn('checked_at', 'bigint')
      .addColumn('drilled_at', 'bigint')
      .addColumn('failed_at', 'bigint')
      .addColumn('failed_in', 'text')
      .addColumn('reason', 'text')
      .addColumn('size_bytes', 'bigint')
      .addColumn('plaintext_bytes', 'bigint')
      .addColumn('duration_ms', 'bigint')
      .addColumn('counts_json', 'text')
      .addColumn('server', 'text')
      .addColumn('gzip', 'integer', (c) => c.notNull())
      .addColumn('plaintext_sha256', 'text')
      .addColumn('ciphertext_sha256', 'text')
      .addColumn('recipients_json', 'text', (c) => c.notNull())
      .execute();
    // A database's backups, newest first (listings, retention, "latest drilled").
    await db.schema
      .createIndex('backups_source_idx')
      .on('backups')
      .columns(['app', 'database_name', 'started_at'])
      .execute();
  },
};
