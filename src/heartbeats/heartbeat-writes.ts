/**
 * The statements that write one batch of pings. On SQLite they are prepared once per connection and run row by row
 * inside the batch's transaction: Kysely prepares every statement anew, and preparing a 500-row INSERT cost more
 * than the rows themselves (bench/RESULTS.md, ping ingest). On PostgreSQL, multi-row statements save round trips.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { upsertRollups } from '../runs/history-writes.js';
import type { RollupsTable, RunsTable, TransitionsTable, UnitsTable } from '../runs/runs-schema.js';
import type { Database } from '../store/database.js';
import type { HeartbeatPingsTable, HeartbeatSchema, HeartbeatsTable } from './heartbeat-schema.js';

/** Everything one batch writes. */
export interface PingBatchRows {
  pings: Omit<HeartbeatPingsTable, 'id'>[];
  runs: Omit<RunsTable, 'id'>[];
  /** One row per bucket (merged). */
  rollups: RollupsTable[];
  transitions: Omit<TransitionsTable, 'id'>[];
  heartbeats: HeartbeatsTable[];
  units: UnitsTable[];
}

const CHUNK = 500;

/** Writes a batch inside the open transaction `trx` on `database`. */
export async function writePingBatch(
  trx: Kysely<HeartbeatSchema>,
  database: Database,
  rows: PingBatchRows,
): Promise<void> {
  if (database.sqlite) {
    // Same connection as `trx` (better-sqlite3 has one), so these run inside its BEGIN IMMEDIATE.
    writeSqlite(statementsFor(database.sqlite), rows);
    return;
  }
  await writeMultiRow(trx, rows);
}

interface Statements {
  units: BetterSqlite3.Statement;
  heartbeats: BetterSqlite3.Statement;
  ping: BetterSqlite3.Statement;
  run: BetterSqlite3.Statement;
  rollup: BetterSqlite3.Statement;
  transition: BetterSqlite3.Statement;
  heartbeat: BetterSqlite3.Statement;
  unit: BetterSqlite3.Statement;
}

const prepared = new WeakMap<BetterSqlite3.Database, Statements>();

function statementsFor(db: BetterSqlite3.Database): Statements {
  let s = prepared.get(db);
  if (!s) {
    s = {
      // Same connection as the batch's transaction (see writePingBatch), so these read inside it.
      units: db.prepare('select * from units where id in (select value from json_each(?))'),
      heartbeats: db.prepare('select * from heartbeats where unit_id in (select value from json_each(?))'),
      ping: db.prepare(
        `insert into heartbeat_pings (unit_id, at, kind, exit_status, rid, duration_ms, method, remote_addr,
         user_agent, body, body_bytes, body_truncated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      run: db.prepare(
        `insert into runs (unit_id, started_at, ended_at, outcome, summary, duration_ms, details_json, values_json,
         worker) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      rollup: db.prepare(
        `insert into rollups (unit_id, grain, bucket_start, runs, ok_runs, failed_runs, error_runs, duration_sum_ms,
         duration_max_ms) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (unit_id, grain, bucket_start) do update set runs = runs + excluded.runs,
         ok_runs = ok_runs + excluded.ok_runs, failed_runs = failed_runs + excluded.failed_runs,
         error_runs = error_runs + excluded.error_runs, duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
         duration_max_ms = max(duration_max_ms, excluded.duration_max_ms)`,
      ),
      transition: db.prepare(
        `insert into transitions (unit_id, at, from_state, to_state, severity, reason, in_maintenance)
         values (?, ?, ?, ?, ?, ?, ?)`,
      ),
      heartbeat: db.prepare(
        `update heartbeats set late_at = ?, last_ping_at = ?, last_ping_kind = ?, last_exit_status = ?,
         started_at = ? where unit_id = ?`,
      ),
      unit: db.prepare(
        `update units set next_run_at = ?, alert_state = ?, last_run_at = ?, last_outcome = ?, running_since = ?,
         running_by = ?, lease_until = ? where id = ?`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

/** The unit and heartbeat rows of `ids` on SQLite, inside the open transaction (same connection). */
export function readSqliteStates(
  db: BetterSqlite3.Database,
  ids: string[],
): { units: Map<string, UnitsTable>; heartbeats: HeartbeatsTable[] } {
  const s = statementsFor(db);
  const json = JSON.stringify(ids);
  const units = new Map((s.units.all(json) as UnitsTable[]).map((row) => [row.id, row]));
  return { units, heartbeats: s.heartbeats.all(json) as HeartbeatsTable[] };
}

function writeSqlite(s: Statements, rows: PingBatchRows): void {
  for (const p of rows.pings) {
    s.ping.run(
      p.unit_id,
      p.at,
      p.kind,
      p.exit_status,
      p.rid,
      p.duration_ms,
      p.method,
      p.remote_addr,
      p.user_agent,
      p.body,
      p.body_bytes,
      p.body_truncated,
    );
  }
  for (const r of rows.runs) {
    s.run.run(
      r.unit_id,
      r.started_at,
      r.ended_at,
      r.outcome,
      r.summary,
      r.duration_ms,
      r.details_json,
      r.values_json,
      r.worker,
    );
  }
  for (const r of rows.rollups) {
    s.rollup.run(
      r.unit_id,
      r.grain,
      r.bucket_start,
      r.runs,
      r.ok_runs,
      r.failed_runs,
      r.error_runs,
      r.duration_sum_ms,
      r.duration_max_ms,
    );
  }
  for (const t of rows.transitions) {
    s.transition.run(t.unit_id, t.at, t.from_state, t.to_state, t.severity, t.reason, t.in_maintenance);
  }
  for (const h of rows.heartbeats) {
    s.heartbeat.run(h.late_at, h.last_ping_at, h.last_ping_kind, h.last_exit_status, h.started_at, h.unit_id);
  }
  for (const u of rows.units) {
    s.unit.run(
      u.next_run_at,
      u.alert_state,
      u.last_run_at,
      u.last_outcome,
      u.running_since,
      u.running_by,
      u.lease_until,
      u.id,
    );
  }
}

async function writeMultiRow(trx: Kysely<HeartbeatSchema>, rows: PingBatchRows): Promise<void> {
  for (let i = 0; i < rows.pings.length; i += CHUNK) {
    await trx
      .insertInto('heartbeat_pings')
      .values(rows.pings.slice(i, i + CHUNK))
      .execute();
  }
  for (let i = 0; i < rows.runs.length; i += CHUNK) {
    await trx
      .insertInto('runs')
      .values(rows.runs.slice(i, i + CHUNK))
      .execute();
  }
  for (let i = 0; i < rows.rollups.length; i += CHUNK) await upsertRollups(trx, rows.rollups.slice(i, i + CHUNK));
  for (let i = 0; i < rows.transitions.length; i += CHUNK) {
    await trx
      .insertInto('transitions')
      .values(rows.transitions.slice(i, i + CHUNK))
      .execute();
  }
  // The rows were read (and locked) in this transaction, so writing them back whole loses nothing.
  for (let i = 0; i < rows.heartbeats.length; i += CHUNK) {
    await trx
      .insertInto('heartbeats')
      .values(rows.heartbeats.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.column('unit_id').doUpdateSet((eb) => ({
          late_at: eb.ref('excluded.late_at'),
          last_ping_at: eb.ref('excluded.last_ping_at'),
          last_ping_kind: eb.ref('excluded.last_ping_kind'),
          last_exit_status: eb.ref('excluded.last_exit_status'),
          started_at: eb.ref('excluded.started_at'),
        })),
      )
      .execute();
  }
  for (let i = 0; i < rows.units.length; i += CHUNK) {
    await trx
      .insertInto('units')
      .values(rows.units.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          next_run_at: eb.ref('excluded.next_run_at'),
          alert_state: eb.ref('excluded.alert_state'),
          last_run_at: eb.ref('excluded.last_run_at'),
          last_outcome: eb.ref('excluded.last_outcome'),
          running_since: eb.ref('excluded.running_since'),
          running_by: eb.ref('excluded.running_by'),
          lease_until: eb.ref('excluded.lease_until'),
        })),
      )
      .execute();
  }
}
