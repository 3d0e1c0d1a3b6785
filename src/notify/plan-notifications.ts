/**
 * What to tell whom: turns a durable transition (or the passing of time) into outbox rows and the unit's next
 * notify state. Pure; the store calls it inside the transaction that claims the transition.
 *
 * - Only changes into `firing` (new, escalated, eased) and out of it (`resolved`) notify; pending, ok-from-pending,
 *   maintenance and upkeep's own `error` never do, nor does anything recorded inside a maintenance window.
 * - A resolved is sent only when its firing was (notify state `notifiedSeverity`), and only with `recovery`.
 * - Flapping: a firing that makes more than `changes` changes within `within` sends one flapping message; every
 *   later change is held (a `suppressed` row) until the unit has not changed for `within`, then its current state
 *   is sent once.
 * - Reminders repeat a firing every `renotify` while it lasts.
 */
import type { Severity } from '../core/outcome.js';
import { formatDuration } from '../plan/duration.js';
import type { AlertMessage } from './channel.js';
import { buildMessage } from './message.js';
import {
  EMPTY_NOTIFY_STATE,
  type NewOutboxRow,
  type PlannedNotifications,
  type TransitionToPlan,
  type UnitNotifyState,
  type UnitToRemind,
} from './notify-schema.js';
import { channelsFor, type UnitNotifyPolicy } from './policy.js';

/** What the planner needs besides the data: the time and the link base. */
export interface PlanContext {
  now: number;
  baseUrl: string;
}

const nothing = (state: UnitNotifyState): PlannedNotifications => ({ rows: [], state });

function rows(channels: string[], message: AlertMessage, held?: string): NewOutboxRow[] {
  return channels.map((channel) => ({
    channel,
    event: message.event === 'test' ? 'test' : message.event,
    message,
    status: held === undefined ? 'pending' : 'suppressed',
    ...(held === undefined ? {} : { note: held }),
  }));
}

/** The outbox rows one transition causes and the unit's notify state after it. */
export function planTransition(
  input: TransitionToPlan,
  policy: UnitNotifyPolicy,
  ctx: PlanContext,
): PlannedNotifications {
  const { transition: t, state, unit } = input;
  if (unit === undefined) return nothing(state); // the unit left the plan: nobody to tell about it.
  const firing = t.to === 'firing';
  // `ok` after a notified firing is not a path transition() takes, but a resolution all the same if one arrives.
  const resolving = t.to === 'resolved' || (t.to === 'ok' && state.notifiedSeverity !== null);
  if ((!firing && !resolving) || t.inMaintenance) return nothing(state);

  if (state.flappingSince !== null) {
    const severity = firing ? (t.severity ?? null) : state.notifiedSeverity;
    const event = firing ? 'firing' : 'resolved';
    const message = buildMessage({ event, unit, severity, since: t.at, at: t.at, reason: t.reason, ...ctx });
    const held = `held: flapping since ${new Date(state.flappingSince).toISOString()}`;
    return { rows: rows(channelsFor(policy, severity), message, held), state };
  }

  if (firing) {
    const severity: Severity = t.severity ?? 'critical';
    const flap = policy.flapping;
    if (flap !== null && input.recentChanges > flap.changes) {
      const channels = channelsFor(policy, severity);
      const since = state.episodeSince ?? t.at;
      const reason =
        `flapping: ${input.recentChanges} state changes within ${formatDuration(flap.withinMs)} ` +
        `(latest: ${t.reason}); further changes are held until it is stable for ${formatDuration(flap.withinMs)}`;
      const message = buildMessage({ event: 'firing', unit, severity, since, at: t.at, reason, ...ctx });
      return {
        rows: rows(channels, message),
        state: { notifiedSeverity: severity, episodeSince: since, lastNotifiedAt: ctx.now, flappingSince: t.at },
      };
    }
    // Already told about this very problem (a maintenance window or upkeep's own error ended with it still firing).
    if (state.notifiedSeverity === severity) return nothing(state);
    const channels = channelsFor(policy, severity);
    if (channels.length === 0) return nothing(state);
    const since = state.episodeSince ?? t.at;
    const message = buildMessage({ event: 'firing', unit, severity, since, at: t.at, reason: t.reason, ...ctx });
    return {
      rows: rows(channels, message),
      state: { notifiedSeverity: severity, episodeSince: since, lastNotifiedAt: ctx.now, flappingSince: null },
    };
  }

  // Resolving: only what was told is untold, to the channels that heard it.
  const cleared: UnitNotifyState = { ...EMPTY_NOTIFY_STATE };
  if (state.notifiedSeverity === null || !policy.recovery) return nothing(cleared);
  const since = state.episodeSince ?? t.at;
  const severity = state.notifiedSeverity;
  const message = buildMessage({ event: 'resolved', unit, severity, since, at: t.at, reason: t.reason, ...ctx });
  return { rows: rows(channelsFor(policy, severity), message), state: cleared };
}

/**
 * The time-driven part: ends flapping once the unit has been stable for the window (telling its current state),
 * and reminds about a firing every `renotify`. Returns null when nothing is due.
 */
export function planReminder(
  input: UnitToRemind,
  policy: UnitNotifyPolicy,
  ctx: PlanContext,
): PlannedNotifications | null {
  const { unit, state } = input;
  const alert = unit.alert;
  if (state.flappingSince !== null) return planFlappingEnd(input, policy, ctx);
  if (state.notifiedSeverity === null || policy.renotifyMs === null || alert.state !== 'firing') return null;
  const last = state.lastNotifiedAt ?? 0;
  if (ctx.now - last < policy.renotifyMs) return null;
  const severity = alert.severity ?? state.notifiedSeverity;
  const since = state.episodeSince ?? alert.since;
  const reason = `still firing since ${new Date(since).toISOString()}: ${alert.lastSummary ?? 'no new observation'}`;
  const message = buildMessage({ event: 'reminder', unit, severity, since, at: ctx.now, reason, ...ctx });
  return { rows: rows(channelsFor(policy, severity), message), state: { ...state, lastNotifiedAt: ctx.now } };
}

function planFlappingEnd(input: UnitToRemind, policy: UnitNotifyPolicy, ctx: PlanContext): PlannedNotifications | null {
  const { unit, state } = input;
  const alert = unit.alert;
  const windowMs = policy.flapping?.withinMs ?? 0;
  if ((input.lastChangeAt ?? 0) > ctx.now - windowMs) return null;
  // Held states say nothing about the target: wait until the window or upkeep's own trouble is over.
  if (alert.state === 'maintenance' || alert.state === 'error') return null;
  const stable = `stable again (no state change for ${formatDuration(windowMs)})`;
  if (alert.state === 'firing') {
    const severity = alert.severity ?? state.notifiedSeverity ?? 'critical';
    const since = state.episodeSince ?? alert.since;
    const reason = `${stable}, still firing: ${alert.lastSummary ?? ''}`.replace(/: $/, '');
    const message = buildMessage({ event: 'firing', unit, severity, since, at: ctx.now, reason, ...ctx });
    return {
      rows: rows(channelsFor(policy, severity), message),
      state: { notifiedSeverity: severity, episodeSince: since, lastNotifiedAt: ctx.now, flappingSince: null },
    };
  }
  const cleared: UnitNotifyState = { ...EMPTY_NOTIFY_STATE };
  if (state.notifiedSeverity === null || !policy.recovery) return { rows: [], state: cleared };
  const message = buildMessage({
    event: 'resolved',
    unit,
    severity: state.notifiedSeverity,
    since: state.episodeSince ?? alert.since,
    at: ctx.now,
    reason: `${stable}: ${alert.state}`,
    ...ctx,
  });
  return { rows: rows(channelsFor(policy, state.notifiedSeverity), message), state: cleared };
}
