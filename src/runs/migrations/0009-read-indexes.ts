/** Migration 9: the index the dashboard's read side needs: one app's units without reading the others. */
import type { Migration } from '../../store/migrations/migration.js';

/** Adds `units_app_idx` (app, id): an app page lists its units in id order, a page at a time. */
export const migration0009: Migration = {
  version: 9,
  name: 'read-indexes',
  async up(db) {
    await db.schema.createIndex('units_app_idx').on('units').columns(['app', 'id']).execute();
  },
};
