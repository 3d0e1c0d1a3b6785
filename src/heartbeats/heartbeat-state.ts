/**
 * The pure core of heartbeats: when a heartbeat becomes late, and what one ping does to its state.
 *
 * A heartbeat's unit is due in the scheduler at the moment a missing ping becomes late (expected time + grace), so
 * down detection is the ordinary claim loop: no timer per heartbeat. Every function here takes the time as an
 * argument.
 */
import { Cron } from 'croner';
import { transition } from '../alerts/transition.js';
import type { AlertState, TransitionInput } from '../core/alert-state.js';
import type { RunRecord } from '../core/run.js';
import { formatDuration } from '../plan/duration.js';
import type { AlertPolicy, ScheduleSpec } from '../plan/units.js';
import { schedulePeriodMs } from '../schedule/schedule-spec.js';

/** When pings are expected: the unit's schedule (a period, or cron in the plan's zone) plus a grace period. */
export interface HeartbeatExpectation {
  schedule: ScheduleSpec;
  graceMs: number;
}

/** What upkeep remembers of a heartbeat between pings (one row per heartbeat unit). */
export interface HeartbeatSnapshot {
  createdAt: number;
  /** The moment the current expectation is broken; computed at each ping and at each plan sync. */
  lateAt: number;
  /** The last success or failure ping (start and log pings do not count). */
  lastPingAt: number | null;
  lastPingKind: 'success' | 'fail' | null;
  lastExitStatus: number | null;
  /** A start ping not yet followed by a success or failure ping. */
  startedAt: number | null;
}

/** What a ping says: Healthchecks' signals (`/start`, `/fail`, `/log`, `/<exit-status>`, or plain success). */
export type PingKind = 'success' | 'fail' | 'start' | 'log';

/** One received ping, as the route hands it over. */
export interface PingInput {
  unitId: string;
  at: number;
  kind: PingKind;
  /** The exit status of `/<n>` pings (0 → success, 1–255 → fail). */
  exitStatus: number | null;
  /** `?rid=`: pairs a start with its end to measure the run time. */
  rid: string | null;
  /** The request body (the job's log), already capped; see `bodyBytes` for what was received. */
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
  method: string;
  remoteAddr: string | null;
  userAgent: string | null;
}

/** What one ping changes: the stored snapshot, and for success/fail pings a run with its alert transition. */
export interface PingEffect {
  snapshot: HeartbeatSnapshot;
  /** The unit's next due time (when it becomes late), or null to leave it alone. */
  nextRunAt: number | null;
  /** Run time measured from the paired start ping, when there was one. */
  durationMs: number | null;
  run: RunRecord | null;
  alert: AlertState;
  change: ReturnType<typeof transition>['change'];
}

/** Pings this early before a cron fire time count for it: the pinging machine's clock may run a little ahead. */
export const EARLY_PING_TOLERANCE_MS = 60_000;

const cronCache = new Map<string, Cron>();

function cronOf(spec: Extract<ScheduleSpec, { kind: 'cron' }>): Cron {
  const key = `${spec.timezone}\u0000${spec.expr}`;
  let cron = cronCache.get(key);
  if (!cron) {
    cron = new Cron(spec.expr, { timezone: spec.timezone, mode: '5-or-6-parts' });
    cronCache.set(key, cron);
  }
  return cron;
}

/** The first cron fire time strictly after `after`. */
function cronAfter(spec: Extract<ScheduleSpec, { kind: 'cron' }>, after: number): number {
  const next = cronOf(spec).nextRun(new Date(after));
  // A cron that never fires again (a past date) never makes the heartbeat late.
  return next ? next.getTime() : Number.MAX_SAFE_INTEGER;
}

/** When a heartbeat whose last ping (or creation, or open start) was at these times becomes late. */
export function lateAt(
  exp: HeartbeatExpectation,
  state: Pick<HeartbeatSnapshot, 'createdAt' | 'lastPingAt' | 'startedAt'>,
): number {
  const anchor = state.lastPingAt ?? state.createdAt;
  const regular =
    exp.schedule.kind === 'every'
      ? anchor + exp.schedule.everyMs + exp.graceMs
      : cronAfter(exp.schedule, anchor + earlyTolerance(exp)) + exp.graceMs;
  // Like Healthchecks: a job that said it started and did not finish within the grace period is late too.
  return state.startedAt === null ? regular : Math.min(regular, state.startedAt + exp.graceMs);
}

/** How early a ping may come for a cron fire time: at most a minute, the grace, and a quarter of the period. */
function earlyTolerance(exp: HeartbeatExpectation): number {
  return Math.min(EARLY_PING_TOLERANCE_MS, exp.graceMs, Math.floor(schedulePeriodMs(exp.schedule) / 4));
}

/**
 * The next moment a heartbeat would be late again, assuming no ping arrives: the scheduler's next due time after
 * it claimed a late heartbeat at `after`. Each missed expected ping is one failing run.
 */
export function nextLateAfter(exp: HeartbeatExpectation, after: number): number {
  if (exp.schedule.kind === 'every') return after + exp.schedule.everyMs;
  return cronAfter(exp.schedule, after - exp.graceMs) + exp.graceMs;
}

/** `every 1d + 1h grace` or `0 2 * * * (Asia/Kolkata) + 1h grace`: how the expectation reads in reasons. */
export function describeExpectation(exp: HeartbeatExpectation): string {
  const when = exp.schedule.kind === 'every' ? exp.schedule.text : `${exp.schedule.text} (${exp.schedule.timezone})`;
  return `${when} + ${formatDuration(exp.graceMs)} grace`;
}

/** A time as people read it in alerts: ISO 8601 in UTC, to the second. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}

/** The snapshot of a heartbeat that has never been pinged. */
export function newSnapshot(exp: HeartbeatExpectation, createdAt: number): HeartbeatSnapshot {
  const base = { createdAt, lastPingAt: null, startedAt: null };
  return { ...base, lateAt: lateAt(exp, base), lastPingKind: null, lastExitStatus: null };
}

/** The unit's context a ping is judged in. */
export interface PingContext {
  exp: HeartbeatExpectation;
  policy: AlertPolicy;
  inMaintenance: boolean;
  worker: string;
  /** When the start ping this end ping pairs with came (by rid, else the open start), or null. */
  startAt: number | null;
}

/** What one ping does to a heartbeat. Pure. */
export function applyPing(
  prev: { snapshot: HeartbeatSnapshot; alert: AlertState },
  ping: PingInput,
  ctx: PingContext,
): PingEffect {
  const { snapshot, alert } = prev;
  if (ping.kind === 'log') {
    return { snapshot, nextRunAt: null, durationMs: null, run: null, alert, change: null };
  }
  if (ping.kind === 'start') {
    const started = { ...snapshot, startedAt: ping.at };
    const late = lateAt(ctx.exp, started);
    // Already late (and claimed, or about to be): leave the due time alone so the miss is not counted twice.
    const nextRunAt = late > ping.at ? late : null;
    return { snapshot: { ...started, lateAt: late }, nextRunAt, durationMs: null, run: null, alert, change: null };
  }
  const durationMs = ctx.startAt !== null && ctx.startAt <= ping.at ? ping.at - ctx.startAt : null;
  const done = { ...snapshot, lastPingAt: ping.at, startedAt: null };
  const late = lateAt(ctx.exp, done);
  const next: HeartbeatSnapshot = {
    ...done,
    lateAt: late,
    lastPingKind: ping.kind,
    lastExitStatus: ping.exitStatus,
  };
  const ran = durationMs === null ? '' : ` (ran ${formatDuration(durationMs)})`;
  const summary = ping.kind === 'success' ? `success ping${ran}` : `${failureText(ping)}${ran}`;
  const input: TransitionInput = {
    outcome: ping.kind === 'success' ? 'ok' : 'critical',
    summary,
    inMaintenance: ctx.inMaintenance,
  };
  const { next: nextAlert, change } = transition(alert, input, ctx.policy, ping.at);
  const run: RunRecord = {
    unitId: ping.unitId,
    startedAt: durationMs === null ? ping.at : (ctx.startAt as number),
    endedAt: ping.at,
    outcome: input.outcome,
    summary,
    durationMs: durationMs ?? 0,
    details: {
      ping: ping.kind,
      exitStatus: ping.exitStatus,
      rid: ping.rid,
      method: ping.method,
      remoteAddr: ping.remoteAddr,
      bodyBytes: ping.bodyBytes,
    },
    values: durationMs === null ? {} : { runTimeMs: durationMs },
    worker: ctx.worker,
  };
  return { snapshot: next, nextRunAt: late, durationMs, run, alert: nextAlert, change };
}

/** `exit status 3: <last line of the log>` or `failure ping: <last line>`. */
function failureText(ping: PingInput): string {
  const head = ping.exitStatus === null ? 'failure ping' : `exit status ${ping.exitStatus}`;
  const lines = ping.body.split('\n').map((line) => line.trim());
  const last = lines.reverse().find((line) => line !== '' && !line.startsWith('[truncated'));
  if (last === undefined) return head;
  return `${head}: ${last.length > 120 ? `${last.slice(0, 119)}…` : last}`;
}
