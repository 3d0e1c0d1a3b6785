/**
 * The heartbeat part of the store: tokens, last-ping state and the ping log, and the one transaction that records a
 * batch of pings (group commit) with their runs, alert states, transitions and the units' next due times.
 */
import type { Kysely } from 'kysely';
import type { AlertState, Transition } from '../core/alert-state.js';
import type { RunRecord } from '../core/run.js';
import { rollupRowsForRun, runToRow, transitionToRow } from '../runs/rows.js';
import type { RollupsTable, UnitsTable } from '../runs/runs-schema.js';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import { withWriteGate } from '../store/write-gate.js';
import {
  type HeartbeatSchema,
  type HeartbeatsTable,
  type PingRecord,
  pingFromRow,
  pingToRow,
  snapshotColumns,
  snapshotFromRow,
} from './heartbeat-schema.js';
import {
  type HeartbeatExpectation,
  type HeartbeatSnapshot,
  lateAt,
  newSnapshot,
  type PingEffect,
  type PingInput,
} from './heartbeat-state.js';
import { readSqliteStates, writePingBatch } from './heartbeat-writes.js';

/** Decides what one ping does, given the heartbeat's state and the paired start time (pure; see applyPing). */
export type PingDecider = (
  prev: { snapshot: HeartbeatSnapshot; alert: AlertState },
  ping: PingInput,
  startAt: number | null,
) => PingEffect;

/** A heartbeat unit as sync sees it: its id and when pings are expected. */
export interface HeartbeatUnitPlan {
  unitId: string;
  exp: HeartbeatExpectation;
}

// Rows per multi-row INSERT: well under SQLite's bound-parameter limit (13 columns × 500).
const CHUNK = 500;

interface UnitState {
  unit: UnitsTable;
  heartbeat: HeartbeatsTable;
  snapshot: HeartbeatSnapshot;
  alert: AlertState;
  nextRunAt: number | null;
  lastRun: RunRecord | null;
  touched: boolean;
}

/** Heartbeat reads and writes on the same database as the Store (SQLite or PostgreSQL). */
export class HeartbeatStore {
  private readonly db: Kysely<HeartbeatSchema>;

  constructor(private readonly database: Database) {
    this.db = database.db.withTables<Pick<HeartbeatSchema, 'heartbeats' | 'heartbeat_pings'>>();
  }

  /**
   * Makes the heartbeat rows match the plan: a new heartbeat unit gets a token and a snapshot; an existing one gets
   * its lateness recomputed (the plan may have changed) and, when that is still ahead, its unit is due then. Rows of
   * units that are no longer heartbeats go, with their pings. Call after Store.syncUnits.
   */
  async sync(units: HeartbeatUnitPlan[], now: number, newToken: () => string): Promise<void> {
    await this.write('syncHeartbeats', async (trx) => {
      const rows = await trx.selectFrom('heartbeats').selectAll().execute();
      const existing = new Map(rows.map((row) => [row.unit_id, row]));
      for (const unit of units) {
        const row = existing.get(unit.unitId);
        let late: number;
        if (row === undefined) {
          const snapshot = newSnapshot(unit.exp, now);
          late = snapshot.lateAt;
          await trx
            .insertInto('heartbeats')
            .values({ unit_id: unit.unitId, token: newToken(), ...snapshotColumns(snapshot) })
            .onConflict((oc) => oc.column('unit_id').doNothing())
            .execute();
        } else {
          late = lateAt(unit.exp, snapshotFromRow(row));
          if (late !== Number(row.late_at)) {
            await trx.updateTable('heartbeats').set({ late_at: late }).where('unit_id', '=', unit.unitId).execute();
          }
        }
        // A lateness already past was (or is about to be) claimed: moving the due time back would count it twice.
        if (late > now) {
          await trx
            .updateTable('units')
            .set({ next_run_at: late })
            .where('id', '=', unit.unitId)
            .where('running_since', 'is', null)
            .execute();
        }
      }
      const keep = new Set(units.map((u) => u.unitId));
      const gone = rows.map((row) => row.unit_id).filter((id) => !keep.has(id));
      for (let i = 0; i < gone.length; i += CHUNK) {
        const chunk = gone.slice(i, i + CHUNK);
        await trx.deleteFrom('heartbeat_pings').where('unit_id', 'in', chunk).execute();
        await trx.deleteFrom('heartbeats').where('unit_id', 'in', chunk).execute();
      }
    });
  }

  /** The last-ping state of a heartbeat unit, or undefined when it has no row. */
  async lastPing(unitId: string): Promise<HeartbeatSnapshot | undefined> {
    const row = await this.read('lastPing', () =>
      this.db.selectFrom('heartbeats').selectAll().where('unit_id', '=', unitId).executeTakeFirst(),
    );
    return row === undefined ? undefined : snapshotFromRow(row);
  }

  /** Every heartbeat unit's token, by unit id. */
  async tokens(): Promise<Map<string, string>> {
    const rows = await this.read('heartbeatTokens', () =>
      this.db.selectFrom('heartbeats').select(['unit_id', 'token']).execute(),
    );
    return new Map(rows.map((row) => [row.unit_id, row.token]));
  }

  /** The tokens of the given heartbeat units only (a page's units), by unit id: reads no other unit's row. */
  async tokensOf(unitIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < unitIds.length; i += CHUNK) {
      const chunk = unitIds.slice(i, i + CHUNK);
      const rows = await this.read('heartbeatTokens', () =>
        this.db.selectFrom('heartbeats').select(['unit_id', 'token']).where('unit_id', 'in', chunk).execute(),
      );
      for (const row of rows) out.set(row.unit_id, row.token);
    }
    return out;
  }

  /** The unit a token belongs to, or undefined. */
  async unitForToken(token: string): Promise<string | undefined> {
    const row = await this.read('unitForToken', () =>
      this.db.selectFrom('heartbeats').select('unit_id').where('token', '=', token).executeTakeFirst(),
    );
    return row?.unit_id;
  }

  /**
   * Records a batch of pings in one transaction: each ping row, and for success/fail pings the run, rollups, alert
   * state, transition and next due time, as `decide` says. Pings of one unit are applied in order. A ping whose unit
   * has no heartbeat row (removed from the plan meanwhile) is not stored: its entry in the result is false.
   */
  async recordPings(pings: PingInput[], decide: PingDecider): Promise<boolean[]> {
    if (pings.length === 0) return [];
    return this.write('recordPings', async (trx) => {
      const states = await this.loadStates(trx, [...new Set(pings.map((p) => p.unitId))].sort());
      const starts = new Map<string, number>();
      const stored: boolean[] = [];
      const pingRows: ReturnType<typeof pingToRow>[] = [];
      const runs: RunRecord[] = [];
      const transitions: Transition[] = [];
      for (const ping of pings) {
        const state = states.get(ping.unitId);
        if (!state) {
          stored.push(false);
          continue;
        }
        const key = `${ping.unitId}\u0000${ping.rid}`;
        let startAt: number | null = null;
        if (ping.kind === 'success' || ping.kind === 'fail') {
          startAt =
            ping.rid === null
              ? state.snapshot.startedAt
              : (starts.get(key) ?? (await findStart(trx, ping.unitId, ping.rid)));
        } else if (ping.kind === 'start' && ping.rid !== null) {
          starts.set(key, ping.at);
        }
        const effect = decide({ snapshot: state.snapshot, alert: state.alert }, ping, startAt);
        state.snapshot = effect.snapshot;
        state.alert = effect.alert;
        state.touched = true;
        if (effect.nextRunAt !== null) state.nextRunAt = effect.nextRunAt;
        if (effect.run) {
          runs.push(effect.run);
          state.lastRun = effect.run;
        }
        if (effect.change) transitions.push({ unitId: ping.unitId, ...effect.change });
        pingRows.push(pingToRow(ping, effect.durationMs));
        stored.push(true);
      }
      const touched = [...states.values()].filter((state) => state.touched);
      await writePingBatch(trx, this.database, {
        pings: pingRows,
        runs: runs.map(runToRow),
        rollups: mergeRollups(runs.flatMap(rollupRowsForRun)),
        transitions: transitions.map(transitionToRow),
        heartbeats: touched.map((state) => ({ ...state.heartbeat, ...snapshotColumns(state.snapshot) })),
        units: touched.map(unitRow),
      });
      return stored;
    });
  }

  /** A unit's pings, newest first. */
  async listPings(opts: { unitId: string; limit: number; before?: number }): Promise<PingRecord[]> {
    const rows = await this.read('listPings', () => {
      let query = this.db.selectFrom('heartbeat_pings').selectAll().where('unit_id', '=', opts.unitId);
      if (opts.before !== undefined) query = query.where('id', '<', opts.before);
      return query.orderBy('id', 'desc').limit(opts.limit).execute();
    });
    return rows.map(pingFromRow);
  }

  /** Deletes up to `batch` pings older than `cutoff` per transaction until none are left; returns how many went. */
  async prunePings(cutoff: number, batch = 1_000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result = await this.write('prunePings', (trx) =>
        trx
          .deleteFrom('heartbeat_pings')
          .where('id', 'in', (eb) =>
            eb.selectFrom('heartbeat_pings').select('id').where('at', '<', cutoff).orderBy('id').limit(batch),
          )
          .executeTakeFirst(),
      );
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batch) return deleted;
    }
  }

  private async loadStates(trx: Kysely<HeartbeatSchema>, ids: string[]): Promise<Map<string, UnitState>> {
    const states = new Map<string, UnitState>();
    if (this.database.sqlite) {
      // Cached prepared statements with the ids as one JSON parameter: Kysely compiling a 100-id `in` list twice per
      // batch was a tenth of the batch's CPU (bench/RESULTS.md, ping ingest).
      const rows = readSqliteStates(this.database.sqlite, ids);
      for (const row of rows.heartbeats) {
        const unit = rows.units.get(row.unit_id);
        if (unit !== undefined) states.set(row.unit_id, newUnitState(unit, row));
      }
      return states;
    }
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      let units = trx.selectFrom('units').selectAll().where('id', 'in', chunk).orderBy('id');
      // Two workers' batches for one heartbeat must apply in turn (SQLite's BEGIN IMMEDIATE already serialises).
      if (this.database.dialect === 'postgres') units = units.forUpdate();
      const unitRows = new Map((await units.execute()).map((row) => [row.id, row]));
      const rows = await trx.selectFrom('heartbeats').selectAll().where('unit_id', 'in', chunk).execute();
      for (const row of rows) {
        const unit = unitRows.get(row.unit_id);
        if (unit !== undefined) states.set(row.unit_id, newUnitState(unit, row));
      }
    }
    return states;
  }

  private async read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }

  private write<T>(operation: string, fn: (trx: Kysely<HeartbeatSchema>) => Promise<T>): Promise<T> {
    return this.read(operation, () =>
      withWriteGate(this.database.gateKey, () => this.db.transaction().execute((trx) => fn(trx))),
    );
  }
}

/** A unit's state as loaded at the start of a batch. */
function newUnitState(unit: UnitsTable, heartbeat: HeartbeatsTable): UnitState {
  return {
    unit,
    heartbeat,
    snapshot: snapshotFromRow(heartbeat),
    alert: JSON.parse(unit.alert_state) as AlertState,
    nextRunAt: null,
    lastRun: null,
    touched: false,
  };
}

/** The unit row after a batch: due time, and for a recorded run its alert state and last-run fields. */
function unitRow(state: UnitState): UnitsTable {
  const run = state.lastRun;
  const due = state.nextRunAt === null ? state.unit.next_run_at : state.nextRunAt;
  if (run === null) return { ...state.unit, next_run_at: due };
  return {
    ...state.unit,
    next_run_at: due,
    alert_state: JSON.stringify(state.alert),
    last_run_at: run.startedAt,
    last_outcome: run.outcome,
    // A ping is fresher than a late check in flight: its claim is taken over, so that run is dropped (the
    // scheduler logs it) instead of being recorded over this one.
    running_since: null,
    running_by: null,
    lease_until: null,
  };
}

/** The start ping an end ping with `rid` pairs with. */
async function findStart(trx: Kysely<HeartbeatSchema>, unitId: string, rid: string): Promise<number | null> {
  const row = await trx
    .selectFrom('heartbeat_pings')
    .select('at')
    .where('unit_id', '=', unitId)
    .where('rid', '=', rid)
    .where('kind', '=', 'start')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : Number(row.at);
}

/** Sums rollup rows with the same bucket: one upsert may not touch a row twice (PostgreSQL refuses). */
function mergeRollups(rows: RollupsTable[]): RollupsTable[] {
  const merged = new Map<string, RollupsTable>();
  for (const row of rows) {
    const key = `${row.unit_id}\u0000${row.grain}\u0000${row.bucket_start}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...row });
      continue;
    }
    seen.runs += row.runs;
    seen.ok_runs += row.ok_runs;
    seen.failed_runs += row.failed_runs;
    seen.error_runs += row.error_runs;
    seen.duration_sum_ms += row.duration_sum_ms;
    seen.duration_max_ms = Math.max(seen.duration_max_ms, row.duration_max_ms);
  }
  return [...merged.values()];
}
