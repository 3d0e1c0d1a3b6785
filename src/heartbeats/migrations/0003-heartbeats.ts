/** Migration 3: heartbeats (one row per heartbeat unit: its token and last-ping state) and every ping received. */
import { sql } from 'kysely';
import type { Migration } from '../../store/migrations/migration.js';

/** Creates `heartbeats` and `heartbeat_pings`. */
export const migration0003: Migration = {
  version: 3,
  name: 'heartbeats',
  async up(db, flavor) {
    await db.schema
      .createTable('heartbeats')
      .addColumn('unit_id', 'text', (c) => c.primaryKey())
      // The secret in the ping URL: >= 128 random bits, base64url. Shown to the owner, so kept as is (not hashed).
      .addColumn('token', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('late_at', 'bigint', (c) => c.notNull())
      .addColumn('last_ping_at', 'bigint')
      .addColumn('last_ping_kind', 'text')
      .addColumn('last_exit_status', 'integer')
      .addColumn('started_at', 'bigint')
      .execute();

    await db.schema
      .createTable('heartbeat_pings')
      .addColumn('id', flavor.serialType, (c) =>
        flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      )
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('exit_status', 'integer')
      .addColumn('rid', 'text')
      .addColumn('duration_ms', 'bigint')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('remote_addr', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('body_bytes', 'integer', (c) => c.notNull())
      .addColumn('body_truncated', 'integer', (c) => c.notNull())
      .execute();
    // A unit's ping log, newest first.
    await db.schema.createIndex('heartbeat_pings_unit_idx').on('heartbeat_pings').columns(['unit_id', 'id']).execute();
    // An end ping finds its start by rid. Partial: only start pings pay for one more index page per write.
    await db.schema
      .createIndex('heartbeat_pings_start_rid_idx')
      .on('heartbeat_pings')
      .columns(['unit_id', 'rid'])
      .where(sql.ref('kind'), '=', 'start')
      .execute();
    // Pruning by age.
    await db.schema.createIndex('heartbeat_pings_at_idx').on('heartbeat_pings').column('at').execute();
  },
};
