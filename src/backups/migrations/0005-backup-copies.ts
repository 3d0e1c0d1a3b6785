/**
 * Migration 5: one row per copy of a backup (a plan's `to:` may list several targets). Each existing backup gets the
 * one copy it had, on its recorded target, in the state its record implies.
 */
import { sql } from 'kysely';
import type { Migration } from '../../store/migrations/migration.js';

/** Creates `backup_copies` and backfills a copy for every backup recorded before it. */
export const migration0005: Migration = {
  version: 5,
  name: 'backup-copies',
  async up(db) {
    await db.schema
      .createTable('backup_copies')
      .addColumn('backup_id', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      // The copy's place in the plan's `to:` list: copies are tried in this order when one is read.
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint')
      .addColumn('written_at', 'bigint')
      .addColumn('checked_at', 'bigint')
      .addColumn('failed_at', 'bigint')
      .addColumn('reason', 'text')
      .addPrimaryKeyConstraint('backup_copies_pk', ['backup_id', 'target'])
      .execute();
    // A backup that failed its drill was still written (and maybe checked): the copy is fine, the data was not.
    await sql`
      insert into backup_copies (backup_id, target, position, state, size_bytes, written_at, checked_at, failed_at, reason)
      select id, target, 0,
        case
          when state = 'running' then 'running'
          when state = 'failed' and failed_in in ('backup', 'check') then 'failed'
          when checked_at is not null then 'checked'
          when taken_at is not null then 'written'
          else 'failed'
        end,
        size_bytes, taken_at, checked_at,
        case when state = 'failed' and failed_in in ('backup', 'check') then failed_at end,
        case when state = 'failed' and failed_in in ('backup', 'check') then reason end
      from backups`.execute(db);
  },
};
