/** Migration 8: announcements, the notes operators publish on an app's public status page and its Atom feed. */
import type { Migration } from '../../store/migrations/migration.js';

/** Creates `announcements`. */
export const migration0008: Migration = {
  version: 8,
  name: 'status',
  async up(db, flavor) {
    await db.schema
      .createTable('announcements')
      .addColumn('id', flavor.serialType, (c) =>
        flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      )
      .addColumn('app', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('ends_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('author', 'text')
      .execute();
    // An app's page and feed: its announcements, newest first.
    await db.schema.createIndex('announcements_app_idx').on('announcements').columns(['app', 'starts_at']).execute();
  },
};
