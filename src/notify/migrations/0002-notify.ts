/**
 * Migration 2: the notification outbox. A transition row is the trigger (Healthchecks' "flip"): `processed_at`
 * marks it planned. `outbox` holds one row per message and channel, `deliveries` one row per send attempt (written
 * before the send), `channel_state` disabled channels and their last error, `notify_units` what people were last
 * told about each unit (for recovery notices, reminders and flapping).
 */
import { sql } from 'kysely';
import type { Migration } from '../../store/migrations/migration.js';

/** Adds transitions.processed_at and the outbox, deliveries, channel_state and notify_units tables. */
export const migration0002: Migration = {
  version: 2,
  name: 'notify',
  async up(db, flavor) {
    const serial = (table: string) =>
      db.schema
        .createTable(table)
        .addColumn('id', flavor.serialType, (c) =>
          flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
        );

    await db.schema.alterTable('transitions').addColumn('processed_at', 'bigint').execute();
    // History recorded before the outbox existed was never meant to be sent: an upgrade must not page for it.
    await sql`update transitions set processed_at = at`.execute(db);
    // The planner's claim query: unprocessed transitions in id order. Partial, so it stays tiny.
    await db.schema
      .createIndex('transitions_unprocessed_idx')
      .on('transitions')
      .column('id')
      .where(sql.ref('processed_at'), 'is', null)
      .execute();

    await serial('outbox')
      .addColumn('transition_id', 'bigint')
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('message_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('sent_at', 'bigint')
      .execute();
    // One message per transition and channel, even if a planner bug ran twice (NULLs, i.e. reminders, are distinct).
    await db.schema
      .createIndex('outbox_transition_channel_idx')
      .on('outbox')
      .columns(['transition_id', 'channel'])
      .unique()
      .execute();
    // The sender's claim queries: due pending rows, and sending rows whose claim expired.
    await db.schema.createIndex('outbox_status_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('outbox_status_claim_idx').on('outbox').columns(['status', 'claimed_until']).execute();
    // Failing a disabled channel's pending rows; listings per channel.
    await db.schema.createIndex('outbox_channel_status_idx').on('outbox').columns(['channel', 'status']).execute();
    // A unit's notifications, newest first.
    await db.schema.createIndex('outbox_unit_created_idx').on('outbox').columns(['unit_id', 'created_at']).execute();

    await serial('deliveries')
      .addColumn('outbox_id', 'bigint', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addColumn('ok', 'integer')
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .addColumn('permanent', 'integer')
      .execute();
    await db.schema.createIndex('deliveries_outbox_idx').on('deliveries').columns(['outbox_id', 'attempt']).execute();
    await db.schema.createIndex('deliveries_channel_idx').on('deliveries').columns(['channel', 'started_at']).execute();

    await db.schema
      .createTable('channel_state')
      .addColumn('channel', 'text', (c) => c.primaryKey())
      // A short hash of the channel's plan entry: a changed entry re-enables a disabled channel.
      .addColumn('config_hash', 'text')
      .addColumn('disabled_at', 'bigint')
      .addColumn('disabled_reason', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'bigint')
      .addColumn('last_success_at', 'bigint')
      .execute();

    await db.schema
      .createTable('notify_units')
      .addColumn('unit_id', 'text', (c) => c.primaryKey())
      // Severity of the firing people were last told about; NULL: nothing told (a resolved then sends nothing).
      .addColumn('notified_severity', 'text')
      .addColumn('episode_since', 'bigint')
      // Compare-and-set key of reminders: two workers never both remind.
      .addColumn('last_notified_at', 'bigint')
      .addColumn('flapping_since', 'bigint')
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
  },
};
