/**
 * The one scheduling loop: claims due units from the store (compare-and-set on next_run_at, so a second worker
 * later never runs a unit twice), runs them under a global concurrency limit, and records each run with its alert
 * transition in one store transaction. There is no timer per unit: a sleeping loop wakes at the next due time.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { initialAlertState, type StateChange, transition } from '../alerts/transition.js';
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { AlertState } from '../core/alert-state.js';
import type { RunRecord } from '../core/run.js';
import type { CheckUnit } from '../plan/units.js';
import type { Store } from '../runs/run-store.js';
import { type Clock, settlesWithin } from './clock.js';
import { executeCheck } from './execute-check.js';
import { LagStats } from './lag-stats.js';
import { runRecordFor } from './run-record.js';

export interface SchedulerOptions {
  store: Store;
  units: CheckUnit[];
  findKind: (name: string) => CheckKind | undefined;
  clock: Clock;
  logger: Logger;
  /** This process's name in claims and run rows. */
  worker: string;
  /** At most this many runs at once, across all units. */
  concurrency: number;
  /** The next due time strictly after `after` (schedule-spec.ts). */
  nextRunAt: (unit: CheckUnit, after: number) => number;
  /** True when `unit` is inside a maintenance window at `now`. */
  inMaintenance: (unit: CheckUnit, now: number) => boolean;
  /** True when an operator paused `unit` (src/control/): its claim is released without a run. */
  paused?: (unit: CheckUnit, now: number) => boolean;
  dispatcher?: Dispatcher;
  /** The heartbeat kind's last-ping reader (src/heartbeats/heartbeat-service.ts). */
  heartbeats?: ProbeContext['heartbeats'];
  /** Called after a run is stored (live output in the terminal; never needed for correctness). */
  onRecorded?: (unit: CheckUnit, run: RunRecord, change: StateChange | null) => void;
  /** Longest the loop sleeps before looking at the store again (other workers, plan syncs). */
  maxSleepMs?: number;
}

/** What the scheduler knows about itself, for /healthz and `upkeep status`. */
export interface SchedulerStatus {
  running: boolean;
  inFlight: string[];
  lastTickAt: number | null;
  /** upkeep's own trouble with its store: shown as upkeep's error, never as a target being down. */
  storeError: { message: string; since: number } | null;
  /** Units whose last result could not be stored: their state is `error` until a run is stored again. */
  unitErrors: Record<string, { message: string; since: number }>;
  runs: number;
  lagP50Ms: number;
  lagP99Ms: number;
}

/** One unit's live facts, without building the whole status. */
export interface UnitLiveStatus {
  running: boolean;
  error: { message: string; since: number } | null;
}

/** Claims lease past the unit's own deadline, so a slow but alive worker is not taken over. */
const LEASE_GRACE_MS = 30_000;

/** After the grace period, how long aborted runs get to unwind before they are recorded abandoned. */
const ABORT_UNWIND_MS = 1_000;

export class Scheduler {
  private readonly units = new Map<string, CheckUnit>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private lastTickAt: number | null = null;
  private storeError: SchedulerStatus['storeError'] = null;
  private readonly unitErrors = new Map<string, { message: string; since: number }>();
  private runs = 0;
  readonly lag = new LagStats();

  constructor(private readonly opts: SchedulerOptions) {
    for (const unit of opts.units) this.units.set(unit.id, unit);
    // Every in-flight run listens for shutdown; hundreds at once are expected, not a leak worth a warning.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** Starts the loop in the background; resolves once it is running. */
  start(): void {
    if (this.loop) return;
    this.loop = this.runLoop();
  }

  /** One pass: claims as many due units as there are free slots and starts them. Returns how many started. */
  async tick(): Promise<number> {
    const free = this.opts.concurrency - this.inFlight.size;
    const now = this.opts.clock.now();
    this.lastTickAt = now;
    if (free <= 0 || this.stopping) return 0;
    const claims = await this.opts.store.claimDue({
      now,
      limit: free,
      worker: this.opts.worker,
      leaseMs: (id) => (this.units.get(id)?.timeoutMs ?? 60_000) + LEASE_GRACE_MS,
      nextRunAt: (id, at) => {
        const unit = this.units.get(id);
        return unit ? this.opts.nextRunAt(unit, at) : at + 60_000;
      },
    });
    this.storeError = null;
    for (const claim of claims) {
      const unit = this.units.get(claim.unitId);
      if (!unit) continue; // a unit another worker's newer plan knows; its claim lease lapses harmlessly.
      if (this.opts.paused?.(unit, now)) {
        // Not run and not judged (a paused heartbeat is not late); the claim already moved its next due time on.
        await this.opts.store.releaseClaim(unit.id, this.opts.worker);
        continue;
      }
      this.lag.add(Math.max(0, now - claim.dueAt));
      const run = this.runUnit(unit, now).finally(() => {
        this.inFlight.delete(unit.id);
        this.wake.abort(); // a slot is free: look for more work now rather than at the next due time.
      });
      this.inFlight.set(unit.id, run);
    }
    return claims.length;
  }

  /** Replaces the units after a plan reload; runs in flight finish under their old definition. */
  setUnits(units: readonly CheckUnit[]): void {
    this.units.clear();
    for (const unit of units) this.units.set(unit.id, unit);
    this.wake.abort();
  }

  /** The unit of this id in the current plan. */
  unit(id: string): CheckUnit | undefined {
    return this.units.get(id);
  }

  /** Makes a unit due now and wakes the loop (an operator's "run now"); false when the plan has no such unit. */
  async runNow(id: string): Promise<boolean> {
    if (!this.units.has(id)) return false;
    await this.opts.store.setNextRunAt(id, this.opts.clock.now());
    this.wake.abort();
    return true;
  }

  /** Resolves when every run started so far has been recorded (tests and `upkeep run`). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /**
   * Stops claiming, lets in-flight runs finish for up to `graceMs`, then aborts the rest and records them as
   * abandoned. Returns which runs finished and which were abandoned.
   */
  async stop(graceMs: number): Promise<{ finished: string[]; abandoned: string[] }> {
    this.stopping = true;
    this.wake.abort();
    const pending = [...this.inFlight.keys()];
    const drained = await settlesWithin(this.opts.clock, this.idle(), graceMs);
    if (!drained) {
      this.shutdown.abort();
      // Aborted probes unwind at once; a second is plenty before their runs are recorded abandoned regardless.
      await settlesWithin(this.opts.clock, this.idle(), ABORT_UNWIND_MS);
    }
    await this.loop;
    let abandoned: string[] = [];
    try {
      abandoned = await this.opts.store.abandonRuns({ now: this.opts.clock.now(), worker: this.opts.worker });
    } catch (err) {
      this.opts.logger.error({ err }, 'could not record abandoned runs; they will be found by their expired lease');
    }
    return { finished: pending.filter((id) => !abandoned.includes(id)), abandoned };
  }

  /** A snapshot for health endpoints and the CLI. */
  /** What the scheduler knows of one unit: running now, and its store error if its last result was not stored. */
  unitStatus(unitId: string): UnitLiveStatus {
    return { running: this.inFlight.has(unitId), error: this.unitErrors.get(unitId) ?? null };
  }

  /** Units whose last result could not be stored (few: the overview marks them `error`). */
  unitErrorList(): [string, { message: string; since: number }][] {
    return [...this.unitErrors];
  }

  status(): SchedulerStatus {
    return {
      running: this.loop !== null && !this.stopping,
      inFlight: [...this.inFlight.keys()],
      lastTickAt: this.lastTickAt,
      storeError: this.storeError,
      unitErrors: Object.fromEntries(this.unitErrors),
      runs: this.runs,
      lagP50Ms: this.lag.quantile(0.5),
      lagP99Ms: this.lag.quantile(0.99),
    };
  }

  private async runLoop(): Promise<void> {
    const { clock, store, logger } = this.opts;
    const maxSleep = this.opts.maxSleepMs ?? 1_000;
    let backoff = 250;
    while (!this.stopping) {
      let sleepMs = maxSleep;
      try {
        await this.expireLeases();
        await this.tick();
        if (this.inFlight.size < this.opts.concurrency) {
          const next = await store.nextDueAt();
          if (next !== null) sleepMs = Math.min(maxSleep, Math.max(0, next - clock.now()));
        }
        backoff = 250;
      } catch (err) {
        this.noteStoreError(err);
        logger.error({ err }, 'scheduler pass failed (store or internal error); retrying with backoff');
        sleepMs = backoff;
        backoff = Math.min(backoff * 2, 10_000);
      }
      if (this.stopping) break;
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (sleepMs > 0) await clock.sleep(sleepMs, this.wake.signal);
    }
  }

  /** Takes over runs whose worker died (expired lease): records them abandoned so the unit is scheduled again. */
  private lastLeaseCheck = 0;
  private async expireLeases(): Promise<void> {
    const now = this.opts.clock.now();
    if (now - this.lastLeaseCheck < 10_000) return;
    this.lastLeaseCheck = now;
    const abandoned = await this.opts.store.abandonRuns({ now, expiredOnly: true });
    if (abandoned.length > 0) this.opts.logger.warn({ units: abandoned }, 'recorded runs abandoned by a dead worker');
  }

  private async runUnit(unit: CheckUnit, claimedAt: number): Promise<void> {
    const { store, clock, logger } = this.opts;
    const kind = this.opts.findKind(unit.kind);
    try {
      const record = await store.getUnit(unit.id);
      const prev: AlertState = record?.alert ?? initialAlertState(claimedAt);
      const want = kind?.recentRuns?.(unit.spec) ?? 0;
      const recent = kind && want > 0 ? await store.recentValues(unit.id, want) : [];
      const result = kind
        ? await executeCheck(unit, kind, recent, {
            clock,
            logger,
            dispatcher: this.opts.dispatcher,
            shutdown: this.shutdown.signal,
            heartbeats: this.opts.heartbeats,
          })
        : {
            outcome: 'error' as const,
            message: `unknown check kind "${unit.kind}"`,
            startedAt: claimedAt,
            durationMs: 0,
          };
      if (this.shutdown.signal.aborted) return; // stop() records it as abandoned.

      const endedAt = clock.now();
      const run = runRecordFor(unit, result, endedAt, this.opts.worker);
      const { next, change } = transition(
        prev,
        {
          outcome: run.outcome as Exclude<RunRecord['outcome'], 'abandoned'>,
          summary: run.summary,
          inMaintenance: this.opts.inMaintenance(unit, endedAt),
        },
        unit.policy,
        endedAt,
      );
      const kept = await store.recordRun(run, next, change ? { unitId: unit.id, ...change } : null);
      if (!kept) logger.warn({ unit: unit.id }, 'run finished after its claim was taken over; result dropped');
      this.runs++;
      this.unitErrors.delete(unit.id);
      if (kept) this.notifyRecorded(unit, run, change);
    } catch (err) {
      // Only the store can throw here (probes are contained by executeCheck): upkeep's failure, not the target's.
      this.noteStoreError(err);
      this.unitErrors.set(unit.id, { message: `could not store the result: ${messageOf(err)}`, since: clock.now() });
      logger.error({ err, unit: unit.id }, 'could not record run');
    }
  }

  private notifyRecorded(unit: CheckUnit, run: RunRecord, change: StateChange | null): void {
    try {
      this.opts.onRecorded?.(unit, run, change);
    } catch (err) {
      this.opts.logger.error({ err, unit: unit.id }, 'onRecorded listener failed');
    }
  }

  private noteStoreError(err: unknown): void {
    if (!this.storeError) this.storeError = { message: messageOf(err), since: this.opts.clock.now() };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
