/**
 * The alert state machine: a pure function of (previous state, run outcome, policy, now).
 *
 *   ok/resolved ──fail──▶ pending ──failures ≥ threshold──▶ firing ──successes ≥ threshold──▶ resolved
 *        ▲                   │pass                              │ severity change: firing→firing (escalation row)
 *        └───────────────────┘
 *   any ──upkeep's own error──▶ error ──next real outcome──▶ evaluated from the state before the error
 *   any ──inside a window──▶ maintenance ──window over──▶ evaluated from the state before the window
 *
 * `error` exists so that upkeep's own failures (store, scheduler, a bug in a probe) are never recorded as the
 * target being down: they neither count as failures nor reset a firing alert.
 */

import type { AlertState, AlertStateName, TransitionInput } from '../core/alert-state.js';
import type { Outcome, Severity } from '../core/outcome.js';
import type { AlertPolicy } from '../plan/units.js';

/** The change a run caused, without the unit id (the caller knows it). */
export interface StateChange {
  from: AlertStateName;
  to: AlertStateName;
  severity?: Severity;
  reason: string;
  inMaintenance: boolean;
  at: number;
}

/** The state of a unit that has never run. */
export function initialAlertState(now: number): AlertState {
  return { state: 'ok', since: now, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

/** True when the outcome means the target failed a condition (not upkeep's own error). */
export function isFailure(outcome: Outcome): outcome is Severity {
  return outcome === 'critical' || outcome === 'warning' || outcome === 'info';
}

/** Orders severities: positive when `a` is worse than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** Computes the next alert state and, when the state changed, the durable change to record. */
export function transition(
  prev: AlertState,
  input: TransitionInput,
  policy: AlertPolicy,
  now: number,
): { next: AlertState; change: StateChange | null } {
  if (input.outcome === 'error') return enterHeldState(prev, 'error', input, now);
  if (input.inMaintenance) return enterHeldState(prev, 'maintenance', input, now);

  // Leaving error or maintenance: evaluate as if continuing from the state before it, and always record leaving.
  const held = prev.state === 'error' || prev.state === 'maintenance';
  const base: AlertState = held ? resumeFrom(prev) : prev;
  const { next, change } = evaluate(base, input, policy, now);
  if (!held) return { next, change };
  const to = next.state;
  return {
    next: change ? next : { ...next, since: now },
    change: {
      from: prev.state,
      to,
      severity: next.severity,
      reason: change ? change.reason : `${prev.state} over: ${input.summary}`,
      inMaintenance: false,
      at: now,
    },
  };
}

function enterHeldState(
  prev: AlertState,
  state: 'error' | 'maintenance',
  input: TransitionInput,
  now: number,
): { next: AlertState; change: StateChange | null } {
  if (prev.state === state) return { next: { ...prev, lastSummary: input.summary }, change: null };
  // From error into maintenance (or back) keep the state before both, so leaving resumes the real alert.
  const resumeState = prev.state === 'error' || prev.state === 'maintenance' ? prev.resumeState : prev.state;
  const next: AlertState = { ...prev, state, since: now, resumeState, lastSummary: input.summary };
  const reason =
    state === 'error' ? `upkeep could not check the target: ${input.summary}` : 'maintenance window started';
  return {
    next,
    change: { from: prev.state, to: state, reason, inMaintenance: state === 'maintenance', at: now },
  };
}

function resumeFrom(prev: AlertState): AlertState {
  const state = prev.resumeState ?? 'ok';
  const { resumeState: _dropped, ...rest } = prev;
  return { ...rest, state, severity: state === 'pending' || state === 'firing' ? prev.severity : undefined };
}

function evaluate(
  prev: AlertState,
  input: TransitionInput,
  policy: AlertPolicy,
  now: number,
): { next: AlertState; change: StateChange | null } {
  const change = (to: AlertStateName, reason: string, severity?: Severity): StateChange => ({
    from: prev.state,
    to,
    severity,
    reason,
    inMaintenance: false,
    at: now,
  });

  if (isFailure(input.outcome)) {
    const severity = input.outcome;
    const failures = prev.consecutiveFailures + 1;
    const counted = { ...prev, consecutiveFailures: failures, consecutiveSuccesses: 0, lastSummary: input.summary };
    const streak = failures === 1 ? 'failed' : `${failures} consecutive failures`;
    if (prev.state === 'firing') {
      if (severity === prev.severity) return { next: counted, change: null };
      const verb = compareSeverity(severity, prev.severity ?? 'info') > 0 ? 'escalated' : 'eased';
      return {
        next: { ...counted, severity },
        change: change('firing', `${verb} to ${severity}: ${input.summary}`, severity),
      };
    }
    if (failures >= policy.failureThreshold) {
      return {
        next: { ...counted, state: 'firing', severity, since: now },
        change: change('firing', `${streak}: ${input.summary}`, severity),
      };
    }
    if (prev.state === 'pending')
      return { next: { ...counted, severity: worst(prev.severity, severity) }, change: null };
    return {
      next: { ...counted, state: 'pending', severity, since: now },
      change: change('pending', `${streak} (${failures}/${policy.failureThreshold}): ${input.summary}`, severity),
    };
  }

  const successes = prev.consecutiveSuccesses + 1;
  const counted = { ...prev, consecutiveFailures: 0, consecutiveSuccesses: successes, lastSummary: input.summary };
  if (prev.state === 'pending') {
    return {
      next: { ...counted, state: 'ok', severity: undefined, since: now },
      change: change('ok', `recovered before alerting: ${input.summary}`),
    };
  }
  if (prev.state === 'firing') {
    if (successes < policy.successThreshold) return { next: counted, change: null };
    return {
      next: { ...counted, state: 'resolved', severity: undefined, since: now },
      change: change('resolved', `recovered after ${successes} passing run(s): ${input.summary}`),
    };
  }
  return { next: counted, change: null };
}

function worst(a: Severity | undefined, b: Severity): Severity {
  return a && compareSeverity(a, b) > 0 ? a : b;
}
