/** The compiled form of a plan: the units the scheduler runs. Produced by the plan compiler, read by everyone else. */
import type { Secret } from '../shared/mask.js';

/** When a unit is due. `every` keeps a fixed period; `cron` is a 5- or 6-field cron expression read in `timezone`. */
export type ScheduleSpec =
  | { kind: 'every'; everyMs: number; text: string }
  | { kind: 'cron'; expr: string; timezone: string; text: string };

/** How observations turn into alert states (see src/alerts/transition.ts). */
export interface AlertPolicy {
  /** Consecutive failing runs before pending becomes firing. */
  failureThreshold: number;
  /** Consecutive passing runs before firing becomes resolved. */
  successThreshold: number;
}

/** One recurring check, as the scheduler and runner see it. */
export interface CheckUnit {
  /** `app/name`: the stable address used by the CLI, API and store. */
  id: string;
  app: string;
  name: string;
  type: 'check';
  /** The check kind's name in the registry (`http`, `tcp`, `tls`, ...). */
  kind: string;
  /** The kind's validated options, exactly as its zod schema produced them. */
  spec: unknown;
  schedule: ScheduleSpec;
  /** Hard deadline for one run; the runner aborts the probe after it. */
  timeoutMs: number;
  policy: AlertPolicy;
  /** A short human description of the target (`GET https://x/health`), masked (src/shared/mask.ts). */
  target: string;
  /**
   * The plan's secret values (src/plan/secret-vars.ts), shared by all its units: what a run of this unit masks
   * before it is shown or stored. Never show or store this list itself.
   */
  secrets?: readonly Secret[];
}

/** Every kind of unit; jobs and checklist items join this union in later issues. */
export type Unit = CheckUnit;
