/** Pure mapping between store records and table rows, the rollup arithmetic of one run, and the row of a run cut short. */
import type { AlertState, Transition } from '../core/alert-state.js';
import type { Severity } from '../core/outcome.js';
import type { RollupGrain, RollupRecord, RunRecord, UnitDefinition, UnitRecord } from '../core/run.js';
import type { RollupsTable, RunsTable, TransitionsTable, UnitsTable } from './runs-schema.js';

const GRAIN_MS: Record<RollupGrain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Every rollup grain, finest first. */
export const GRAINS: readonly RollupGrain[] = ['minute', 'hour', 'day'];

/** Start of the bucket holding `at` (UTC; a day bucket starts at 00:00 UTC). */
export function bucketStart(at: number, grain: RollupGrain): number {
  const size = GRAIN_MS[grain];
  return Math.floor(at / size) * size;
}

/** How a run's outcome counts: the target's verdict (ok / failed) or upkeep's own trouble (error, abandoned). */
export function outcomeCounts(outcome: RunRecord['outcome']): { ok: number; failed: number; error: number } {
  if (outcome === 'ok') return { ok: 1, failed: 0, error: 0 };
  if (outcome === 'error' || outcome === 'abandoned') return { ok: 0, failed: 0, error: 1 };
  return { ok: 0, failed: 1, error: 0 };
}

/** The three rollup rows (minute, hour, day) one run adds, to be upserted. */
export function rollupRowsForRun(run: RunRecord): RollupsTable[] {
  const counts = outcomeCounts(run.outcome);
  const duration = Math.max(0, Math.round(run.durationMs));
  return GRAINS.map((grain) => ({
    unit_id: run.unitId,
    grain,
    bucket_start: bucketStart(run.startedAt, grain),
    runs: 1,
    ok_runs: counts.ok,
    failed_runs: counts.failed,
    error_runs: counts.error,
    duration_sum_ms: duration,
    duration_max_ms: duration,
  }));
}

/** The initial alert state of a unit new to the store. */
export function initialAlertState(since: number): AlertState {
  return { state: 'ok', since, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}

/** The definition columns of a unit row. */
export function definitionColumns(unit: UnitDefinition) {
  return {
    app: unit.app,
    name: unit.name,
    type: unit.type,
    kind: unit.kind,
    target: unit.target,
    schedule: unit.schedule,
    spec_hash: unit.specHash,
  };
}

/** True when any stored definition column differs from the plan's unit. */
export function definitionChanged(row: UnitsTable, unit: UnitDefinition): boolean {
  const next = definitionColumns(unit);
  return (Object.keys(next) as (keyof typeof next)[]).some((key) => row[key] !== next[key]);
}

/** A unit row as a record. */
export function unitFromRow(row: UnitsTable): UnitRecord {
  return {
    id: row.id,
    app: row.app,
    name: row.name,
    type: row.type,
    kind: row.kind,
    target: row.target,
    schedule: row.schedule,
    specHash: row.spec_hash,
    nextRunAt: nullableNumber(row.next_run_at),
    runningSince: nullableNumber(row.running_since),
    runningBy: row.running_by,
    leaseUntil: nullableNumber(row.lease_until),
    alert: JSON.parse(row.alert_state) as AlertState,
    lastRunAt: nullableNumber(row.last_run_at),
    lastOutcome: row.last_outcome as UnitRecord['lastOutcome'],
  };
}

/** A run record as a row to insert. */
export function runToRow(run: RunRecord): Omit<RunsTable, 'id'> {
  return {
    unit_id: run.unitId,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    outcome: run.outcome,
    summary: run.summary,
    duration_ms: Math.max(0, Math.round(run.durationMs)),
    // undefined details would not survive JSON: store null instead.
    details_json: JSON.stringify(run.details ?? null),
    values_json: JSON.stringify(run.values ?? {}),
    worker: run.worker,
  };
}

/** A run row as a record. */
export function runFromRow(row: { id: number } & Omit<RunsTable, 'id'>): RunRecord {
  return {
    id: Number(row.id),
    unitId: row.unit_id,
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
    outcome: row.outcome as RunRecord['outcome'],
    summary: row.summary,
    durationMs: Number(row.duration_ms),
    details: JSON.parse(row.details_json) as unknown,
    values: JSON.parse(row.values_json) as Record<string, number>,
    worker: row.worker,
  };
}

/** A transition as a row to insert. */
export function transitionToRow(t: Transition): Omit<TransitionsTable, 'id'> {
  return {
    unit_id: t.unitId,
    at: t.at,
    from_state: t.from,
    to_state: t.to,
    severity: t.severity ?? null,
    reason: t.reason,
    in_maintenance: t.inMaintenance ? 1 : 0,
  };
}

/** A transition row as a record (no `severity` key when there was none, matching what was written). */
export function transitionFromRow(row: Omit<TransitionsTable, 'id'>): Transition {
  const t: Transition = {
    unitId: row.unit_id,
    at: Number(row.at),
    from: row.from_state as Transition['from'],
    to: row.to_state as Transition['to'],
    reason: row.reason,
    inMaintenance: Number(row.in_maintenance) === 1,
  };
  if (row.severity !== null) t.severity = row.severity as Severity;
  return t;
}

/** A rollup row as a record. */
export function rollupFromRow(row: RollupsTable): RollupRecord {
  return {
    unitId: row.unit_id,
    grain: row.grain as RollupGrain,
    bucketStart: Number(row.bucket_start),
    runs: Number(row.runs),
    okRuns: Number(row.ok_runs),
    failedRuns: Number(row.failed_runs),
    errorRuns: Number(row.error_runs),
    durationSumMs: Number(row.duration_sum_ms),
    durationMaxMs: Number(row.duration_max_ms),
  };
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

/** The run row of a run cut short: counted as upkeep's error, never the target's failure. */
export function abandonedRun(
  unitId: string,
  { since, now, holder, expired }: { since: number; now: number; holder: string; expired: boolean },
): RunRecord {
  return {
    unitId,
    startedAt: since,
    endedAt: now,
    outcome: 'abandoned',
    summary: expired
      ? `abandoned: worker ${holder} held the run past its lease`
      : `abandoned: worker ${holder} stopped before the run finished`,
    durationMs: Math.max(0, now - since),
    details: { reason: expired ? 'lease-expired' : 'worker-stopped', worker: holder },
    values: {},
    worker: holder,
  };
}
