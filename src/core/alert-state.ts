/** Alert states: the durable memory of one unit's problem. */
import type { Outcome, Severity } from './outcome.js';

export type AlertStateName = 'ok' | 'pending' | 'firing' | 'resolved' | 'maintenance' | 'error';

/** The state kept per unit between runs. */
export interface AlertState {
  state: AlertStateName;
  /** Severity while pending or firing. */
  severity?: Severity;
  /** When the current state was entered (ms since epoch). */
  since: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** The state to return to when upkeep's own error or a maintenance window ends. */
  resumeState?: AlertStateName;
  /** Summary of the run that last changed or confirmed the state. */
  lastSummary?: string;
}

/** One durable change of state, with why. */
export interface Transition {
  unitId: string;
  at: number;
  from: AlertStateName;
  to: AlertStateName;
  severity?: Severity;
  reason: string;
  /** Recorded inside a maintenance window: the notifier records but does not send. */
  inMaintenance: boolean;
}

/** What transition() consumes: the outcome of a run (or upkeep's own error) at a time. */
export interface TransitionInput {
  outcome: Outcome;
  summary: string;
  inMaintenance: boolean;
}
