/** The contract every check kind implements: a zod schema, an I/O probe and a pure evaluation. */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { HeartbeatSnapshot } from '../heartbeats/heartbeat-state.js';
import type { ScheduleSpec } from '../plan/units.js';

export type Severity = 'critical' | 'warning' | 'info';

/**
 * The verdict of one run. `error` is reserved for upkeep's own failures (a bug, the store, the scheduler):
 * it is never a statement about the target and never counts as the target being down.
 */
export type Outcome = 'ok' | Severity | 'error';

/** Why a probe could not get an answer from the target; distinct so a person knows where to look. */
export type FailureReason =
  | 'dns' // name did not resolve
  | 'connect' // refused, unreachable, reset before a response
  | 'tls' // handshake failed, certificate rejected
  | 'timeout' // the total deadline passed
  | 'protocol' // answered, but not in the protocol expected (bad HTTP, redirect loop, body over the cap)
  | 'other';

/** What a probe saw. Probes never throw for a target's failure: they return `failure` instead. */
export interface Observation {
  /** When the probe started and how long it took, in ms since the epoch / ms. */
  startedAt: number;
  durationMs: number;
  /** Set when no usable answer came back. */
  failure?: { reason: FailureReason; message: string };
  /** Kind-specific facts (status, headers, parsed JSON body, certificate dates, ...): JSON-serialisable. */
  facts: Record<string, unknown>;
}

/** One condition's result inside a verdict, for display and for the transition reason. */
export interface ConditionResult {
  /** e.g. `status == 200`, `responseTime < 2s`, `metrics.errorRate <= 5%`. */
  condition: string;
  passed: boolean;
  /** The severity this condition carries when it fails. */
  severity: Severity;
  /** What was actually seen, e.g. `503`, `2.4s`, `7.2%`. */
  actual?: string;
}

/** The pure evaluation of an observation. */
export interface Verdict {
  /** `ok`, or the worst severity among failed conditions (a `failure` is critical). */
  outcome: Exclude<Outcome, 'error'>;
  /** One line for tables and alerts, e.g. `HTTP 503 (expected 200)` or `ok in 123ms`. */
  summary: string;
  conditions: ConditionResult[];
  /** Numbers worth charting and trending (responseTimeMs, daysLeft, heapUsedBytes, ...). */
  values: Record<string, number>;
}

/** A past run's values, oldest first, for trend rules such as heap growth. */
export interface RecentValues {
  at: number;
  values: Record<string, number>;
}

/** What a probe may use. Injected so tests use real local servers and a fake clock, never module mocks. */
export interface ProbeContext {
  /** Aborted at the unit's deadline or when upkeep shuts down. */
  signal: AbortSignal;
  /** The unit's total deadline in ms (the signal fires at it too). */
  timeoutMs: number;
  now: () => number;
  logger: Logger;
  /** undici dispatcher for HTTP probes; tests pass one that trusts their CA. */
  dispatcher?: Dispatcher;
  /** Extra trusted CA certificates (PEM) for tls checks, which connect without undici; tests pass their own CA. */
  ca?: string | string[];
  /** The unit being probed (`app/name`): kinds that read their own stored state (heartbeat) need it. */
  unitId?: string;
  /** The heartbeat kind reads the last ping from the store through this. */
  heartbeats?: { lastPing(unitId: string): Promise<HeartbeatSnapshot | undefined> };
}

/** A check kind: one file in src/checks plus one line in src/checks/registry.ts. */
export interface CheckKind<Spec = unknown> {
  /** The key that selects this kind in the plan (`http: https://...`). */
  name: string;
  /** One line for docs and `upkeep schema`. */
  description: string;
  /**
   * The kind's options as they appear in a check entry of the plan, including its own key
   * (`http`, `tcp`, ...) and `expect`, but not the common keys (`every`, `timeout`, `alert`).
   */
  schema: z.ZodType<Spec>;
  /** A short description of the target for tables; the plan compiler masks it once (src/shared/mask.ts). */
  describe(spec: Spec): string;
  /** Does the I/O. Must honour `ctx.signal`, must not throw for the target's failures. */
  probe(spec: Spec, ctx: ProbeContext): Promise<Observation>;
  /** How many past runs' values `evaluate` wants in `recent` (trend rules); omitted or 0 means none are read. */
  recentRuns?(spec: Spec): number;
  /**
   * For kinds whose timing is part of their own options (heartbeat: when pings are expected): the unit's schedule,
   * read in the plan's zone. The common `every`/`schedule` keys are then refused.
   */
  schedule?(spec: Spec, timezone: string): ScheduleSpec;
  /** The alert policy when the plan gives none (default: 2 failures to fire, 1 success to resolve). */
  defaultAlert?: { failures: number; successes: number };
  /** Pure: same inputs, same verdict. */
  evaluate(spec: Spec, observation: Observation, recent: RecentValues[]): Verdict;
}
