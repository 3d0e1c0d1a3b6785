/** Row types of the units and runs tables as Kysely sees them (timestamps are bigint ms, JSON is text, booleans are 0/1). */
import type { Generated, Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import type { StoreSchema } from '../store/schema.js';

/** `units`: a copy of each unit's definition plus its scheduling and alert state. */
export interface UnitsTable {
  id: string;
  app: string;
  name: string;
  type: string;
  kind: string;
  target: string;
  schedule: string;
  spec_hash: string;
  next_run_at: number | null;
  running_since: number | null;
  running_by: string | null;
  lease_until: number | null;
  /** AlertState as JSON. */
  alert_state: string;
  last_run_at: number | null;
  last_outcome: string | null;
}

/** `runs`: raw results, kept for the raw retention period. */
export interface RunsTable {
  id: Generated<number>;
  unit_id: string;
  started_at: number;
  ended_at: number;
  outcome: string;
  summary: string;
  duration_ms: number;
  details_json: string;
  values_json: string;
  worker: string;
}

/** `transitions`: durable alert state changes. */
export interface TransitionsTable {
  id: Generated<number>;
  unit_id: string;
  at: number;
  from_state: string;
  to_state: string;
  severity: string | null;
  reason: string;
  in_maintenance: number;
}

/** `rollups`: per-unit aggregates per minute, hour and day bucket. */
export interface RollupsTable {
  unit_id: string;
  grain: string;
  bucket_start: number;
  runs: number;
  ok_runs: number;
  failed_runs: number;
  error_runs: number;
  duration_sum_ms: number;
  duration_max_ms: number;
}

/** The seam's tables plus the units, runs, transitions and rollups of src/runs. */
export interface RunsSchema extends StoreSchema {
  units: UnitsTable;
  runs: RunsTable;
  transitions: TransitionsTable;
  rollups: RollupsTable;
}

/** Table names, for size accounting and test clean-up. */
export const STORE_TABLES = ['upkeep_migrations', 'upkeep_meta', 'units', 'runs', 'transitions', 'rollups'] as const;

/** The open database typed with the runs tables (the seam types only its own; each capability adds its tables). */
export function runsTables(database: Pick<Database, 'db'>): Kysely<RunsSchema> {
  return database.db as unknown as Kysely<RunsSchema>;
}
