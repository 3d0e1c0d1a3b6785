/** Units, runs and their history as every layer names them (stored by src/runs, read by the web and the CLI). */
import type { AlertState } from './alert-state.js';
import type { Outcome } from './outcome.js';

/** The definition of a unit as the store keeps it (the plan is the source of truth; this is a copy for joins). */
export interface UnitDefinition {
  id: string;
  app: string;
  name: string;
  type: string; // 'check' (jobs later)
  kind: string; // 'http', 'tcp', ...
  target: string; // redacted description
  schedule: string; // schedule text for display
  /** Hash of the unit's definition: a changed unit is rescheduled. */
  specHash: string;
}

/** A unit with its scheduling and alert state. */
export interface UnitRecord extends UnitDefinition {
  nextRunAt: number | null;
  /** Set while a worker runs the unit; cleared when the run is recorded. */
  runningSince: number | null;
  runningBy: string | null;
  /** The run lease: past it, another worker may treat the run as abandoned. */
  leaseUntil: number | null;
  alert: AlertState;
  lastRunAt: number | null;
  lastOutcome: Outcome | 'abandoned' | null;
}

/** A finished (or abandoned) run. */
export interface RunRecord {
  id?: number;
  unitId: string;
  startedAt: number;
  endedAt: number;
  outcome: Outcome | 'abandoned';
  summary: string;
  durationMs: number;
  /** Observation facts, conditions and values: JSON. Kept only for the raw retention period. */
  details: unknown;
  /** Numbers from the verdict, rolled up into per-minute/hour/day buckets (responseTimeMs drives latency stats). */
  values: Record<string, number>;
  worker: string;
}

export type RollupGrain = 'minute' | 'hour' | 'day';

/** Aggregated results of one unit over one bucket. */
export interface RollupRecord {
  unitId: string;
  grain: RollupGrain;
  bucketStart: number;
  runs: number;
  okRuns: number;
  /** warning/critical/info outcomes: the target failed a condition. */
  failedRuns: number;
  /** upkeep's own errors and abandoned runs: not the target's fault. */
  errorRuns: number;
  durationSumMs: number;
  durationMaxMs: number;
}

/** How long each level of history is kept (ms). */
export interface Retention {
  raw: number;
  minute: number;
  hour: number;
  day: number;
}

/** What claimDue hands a worker: the unit id and the due time it claimed. */
export interface Claim {
  unitId: string;
  dueAt: number;
}
