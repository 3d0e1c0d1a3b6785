/** The narrow storage seam. One implementation on Kysely serves SQLite and PostgreSQL; one contract suite tests both. */
import type { AlertState, Transition } from '../core/alert-state.js';
import type {
  Claim,
  Retention,
  RollupGrain,
  RollupRecord,
  RunRecord,
  UnitDefinition,
  UnitRecord,
} from '../core/run.js';
import type { RollupTotals } from './read-queries.js';

export interface Store {
  /** Which backend: 'sqlite' | 'postgres'. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; throws StoreSchemaTooNewError when the store was written by a newer upkeep. */
  migrate(): Promise<void>;
  /**
   * Makes the store's units match the plan: inserts new ones with `nextRunAt` from `firstRunAt(id)`, updates changed
   * ones (rescheduling those whose specHash changed), and deletes units no longer in the plan (their history goes too).
   */
  syncUnits(units: UnitDefinition[], firstRunAt: (unitId: string) => number): Promise<void>;
  /**
   * Claims up to `limit` units with nextRunAt <= now that are not running (or whose lease expired), oldest due first.
   * Compare-and-set per unit: sets runningSince=now, runningBy=worker, leaseUntil=now+leaseMs, nextRunAt=nextRunAt(id).
   * Two workers never claim the same due run.
   */
  claimDue(opts: {
    now: number;
    limit: number;
    worker: string;
    leaseMs: (unitId: string) => number;
    nextRunAt: (unitId: string, now: number) => number;
  }): Promise<Claim[]>;
  /** Earliest nextRunAt among units that are not running, or null: lets the loop sleep until then. */
  nextDueAt(): Promise<number | null>;
  /**
   * Records a finished run in one transaction: the run row, the rollup buckets, the unit's alert state,
   * last run fields, the transition (if any), and clears the running fields — only if `worker` still holds the claim.
   * Returns false when the claim was lost (the run is then not recorded).
   */
  recordRun(run: RunRecord, alert: AlertState, transition: Transition | null): Promise<boolean>;
  /**
   * Marks runs that were in flight as abandoned: those held by `worker` (on shutdown; with `expiredOnly`, only its
   * runs whose lease expired), or, with `worker` undefined, every run whose lease expired before `now` or whose
   * worker is in `deadWorkers` — and with `expiredOnly: false` explicitly, every running unit (a single-process store
   * starting after a crash). Writes an `abandoned` run row per unit (counted as an error run, never the target's
   * failure), clears its running fields and leaves the alert state alone. Returns the abandoned unit ids.
   */
  abandonRuns(opts: { now: number; worker?: string; expiredOnly?: boolean; deadWorkers?: string[] }): Promise<string[]>;
  /** Gives up `worker`'s claim on a unit without recording a run (a paused unit); its nextRunAt stays as claimed. */
  releaseClaim(unitId: string, worker: string): Promise<void>;
  /** Sets a unit's nextRunAt (e.g. `upkeep run` now, or after a plan change). */
  setNextRunAt(unitId: string, at: number): Promise<void>;

  listUnits(): Promise<UnitRecord[]>;
  getUnit(unitId: string): Promise<UnitRecord | undefined>;
  /** Newest first. */
  listRuns(opts: { unitId?: string; limit: number; before?: number }): Promise<RunRecord[]>;
  /** Up to `limit` units of one app in id order, after the unit id `after`: reads no other app's units. */
  listUnitsOfApp(app: string, opts: { limit: number; after?: string }): Promise<UnitRecord[]>;
  /** Newest first; `before` (ms) pages back. */
  listTransitions(opts: { unitId?: string; limit: number; before?: number }): Promise<Transition[]>;
  /** Oldest first, bucket start in [from, to). */
  listRollups(opts: { unitId: string; grain: RollupGrain; from: number; to: number }): Promise<RollupRecord[]>;
  /** The roll-ups of several units (one page's sparklines) in one query, ordered by unit then time. */
  listRollupsOfUnits(opts: {
    unitIds: string[];
    grain: RollupGrain;
    from: number;
    to: number;
  }): Promise<RollupRecord[]>;
  /** Sums of one unit's roll-ups in [from, to): uptime without shipping the buckets. */
  rollupTotals(opts: { unitId: string; grain: RollupGrain; from: number; to: number }): Promise<RollupTotals>;
  /** The values of the last `limit` runs of a unit, oldest first (for trend rules). */
  recentValues(unitId: string, limit: number): Promise<{ at: number; values: Record<string, number> }[]>;
  /** Deletes raw runs and rollups older than the retention; returns how many rows went. */
  prune(now: number, retention: Retention): Promise<number>;
  /** Cheap liveness probe for /healthz: a read and, with `write`, a write. */
  ping(write?: boolean): Promise<void>;
  /** Approximate bytes used (SQLite file size or pg_total_relation_size sum) for the benchmark. */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}
