/** The contract every check kind implements: a zod schema, an I/O probe and a pure evaluation. */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Observation, RecentValues, Verdict } from '../core/observation.js';
import type { ScheduleSpec } from '../plan/units.js';

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
  /**
   * The heartbeat kind reads the last ping through this, provided by its capability (src/heartbeats): the snapshot
   * is opaque here so that the check contract depends on no capability.
   */
  heartbeats?: { lastPing(unitId: string): Promise<object | undefined> };
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
