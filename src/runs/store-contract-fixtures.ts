/** Shared fixtures of the Store contract suites: fixed times, unit and run builders, and a claim shortcut. */
import assert from 'node:assert/strict';
import type { AlertState } from '../core/alert-state.js';
import type { RunRecord, UnitDefinition } from '../core/run.js';
import type { KyselyStore } from './kysely-store.js';

/** A database for one test: every open() is a new connection (pool) to the same database. */
export interface StoreFixture {
  open(): Promise<KyselyStore>;
  /** A store on the same database whose connection refuses writes (SQLite query_only, PostgreSQL read-only). */
  openReadOnly(): Promise<KyselyStore>;
  dispose(): Promise<void>;
}

/** Runs a test body on a fresh, migrated store; closes and disposes after. */
export type WithStore = (fn: (store: KyselyStore, fixture: StoreFixture) => Promise<void>) => Promise<void>;

/** A fixed Monday 10:00 UTC every test starts from. */
export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
/** Milliseconds in a minute, hour and day. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** First run far away, so only the units a test makes due are claimed. */
export const LATER = () => T0 + 30 * DAY;

/** A check unit definition for `app/name`. */
export function unit(id: string, specHash = 'h1', target = `GET https://${id}.example/health`): UnitDefinition {
  const [app = 'app', name = id] = id.split('/');
  return { id, app, name, type: 'check', kind: 'http', target, schedule: 'every 1m', specHash };
}

/** A finished run of `unitId` by `worker`. */
export function run(
  unitId: string,
  startedAt: number,
  outcome: RunRecord['outcome'],
  worker = 'w1',
  durationMs = 100,
): RunRecord {
  return {
    unitId,
    startedAt,
    endedAt: startedAt + durationMs,
    outcome,
    summary: `${outcome} in ${durationMs}ms`,
    durationMs,
    details: { status: 200 },
    values: { responseTimeMs: durationMs },
    worker,
  };
}

/** A quiet alert state. */
export const OK: AlertState = { state: 'ok', since: T0, consecutiveFailures: 0, consecutiveSuccesses: 1 };

/** Claims `unitId` for `worker` at `now` (it must be due) so a run can be recorded. */
export async function claimOne(store: KyselyStore, unitId: string, now: number, worker = 'w1'): Promise<void> {
  await store.setNextRunAt(unitId, now);
  const claims = await store.claimDue({ now, limit: 100, worker, leaseMs: () => MIN, nextRunAt: (_, t) => t + MIN });
  assert.ok(
    claims.some((c) => c.unitId === unitId),
    `expected ${worker} to claim ${unitId}`,
  );
}
