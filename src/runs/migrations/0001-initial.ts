/** Migration 1: units, runs, transitions, rollups and the meta table, with indexes for the hot queries. */
import type { Migration } from '../../store/migrations/migration.js';

/** Creates the initial schema. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  async up(db, flavor) {
    await db.schema
      .createTable('upkeep_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('units')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('spec_hash', 'text', (c) => c.notNull())
      .addColumn('next_run_at', 'bigint')
      .addColumn('running_since', 'bigint')
      .addColumn('running_by', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('alert_state', 'text', (c) => c.notNull())
      .addColumn('last_run_at', 'bigint')
      .addColumn('last_outcome', 'text')
      .execute();
    // claimDue and nextDueAt: due units in due order.
    await db.schema.createIndex('units_due_idx').on('units').columns(['next_run_at', 'id']).execute();
    // abandonRuns by worker.
    await db.schema.createIndex('units_running_by_idx').on('units').column('running_by').execute();

    await db.schema
      .createTable('runs')
      .addColumn('id', flavor.serialType, (c) =>
        flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      )
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'bigint', (c) => c.notNull())
      .addColumn('details_json', 'text', (c) => c.notNull())
      .addColumn('values_json', 'text', (c) => c.notNull())
      .addColumn('worker', 'text', (c) => c.notNull())
      .execute();
    // A unit's history page and recentValues.
    await db.schema.createIndex('runs_unit_started_idx').on('runs').columns(['unit_id', 'started_at']).execute();
    // prune and the all-units feed.
    await db.schema.createIndex('runs_started_idx').on('runs').column('started_at').execute();

    await db.schema
      .createTable('transitions')
      .addColumn('id', flavor.serialType, (c) =>
        flavor.autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey(),
      )
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('from_state', 'text', (c) => c.notNull())
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('severity', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('in_maintenance', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('transitions_unit_at_idx').on('transitions').columns(['unit_id', 'at']).execute();
    await db.schema.createIndex('transitions_at_idx').on('transitions').column('at').execute();

    await db.schema
      .createTable('rollups')
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('grain', 'text', (c) => c.notNull())
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('runs', 'integer', (c) => c.notNull())
      .addColumn('ok_runs', 'integer', (c) => c.notNull())
      .addColumn('failed_runs', 'integer', (c) => c.notNull())
      .addColumn('error_runs', 'integer', (c) => c.notNull())
      .addColumn('duration_sum_ms', 'bigint', (c) => c.notNull())
      .addColumn('duration_max_ms', 'bigint', (c) => c.notNull())
      // The primary key serves listRollups (unit, grain, time range) and the upsert's conflict target.
      .addPrimaryKeyConstraint('rollups_pk', ['unit_id', 'grain', 'bucket_start'])
      .execute();
    // prune per grain by age.
    await db.schema.createIndex('rollups_grain_bucket_idx').on('rollups').columns(['grain', 'bucket_start']).execute();
  },
};
