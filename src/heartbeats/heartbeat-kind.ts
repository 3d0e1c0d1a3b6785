/**
 * The `heartbeat` check kind (a dead man's switch): a cron job pings upkeep; a missing or failing ping alerts.
 *
 * Pings are recorded as they arrive (src/heartbeats). The scheduler claims a heartbeat unit only at the moment a
 * missing ping becomes late; the probe then reads the last ping from the store and evaluate() judges it.
 */
import { z } from 'zod';
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import { buildVerdict } from '../checks/verdict.js';
import type { Observation, Verdict } from '../core/observation.js';
import { parseDuration } from '../plan/duration.js';
import { durationField, scheduleField } from '../plan/plan-fields.js';
import type { ScheduleSpec } from '../plan/units.js';
import { parseSchedule } from '../schedule/schedule-spec.js';
import {
  describeExpectation,
  formatTime,
  type HeartbeatExpectation,
  type HeartbeatSnapshot,
} from './heartbeat-state.js';

const DEFAULT_GRACE = '5m';

/** The plan entry: `heartbeat: { every: 1d, grace: 1h }` or `heartbeat: { schedule: "0 2 * * *", grace: 1h }`. */
export const heartbeatSchema = z.strictObject({
  heartbeat: z
    .strictObject({
      every: durationField.optional().describe('Pings are expected this often (e.g. 1d), counted from the last one.'),
      schedule: scheduleField
        .optional()
        .describe("Pings are expected at these times (cron or daily 02:00), in the plan's time zone."),
      grace: durationField
        .default(DEFAULT_GRACE)
        .describe('How late a ping may be before the heartbeat is late (default 5m).'),
    })
    .refine((v) => (v.every === undefined) !== (v.schedule === undefined), {
      message: 'give exactly one of "every" (a period, e.g. 1d) or "schedule" (e.g. "0 2 * * *")',
    })
    .describe('When pings are expected. Ping URL: /ping/<token> (shown by `upkeep status --json` and the API).'),
});

/** A validated heartbeat spec. */
export type HeartbeatSpec = z.output<typeof heartbeatSchema>;

/** The grace period of a spec in ms. */
export function graceMs(spec: HeartbeatSpec): number {
  return durationMs(spec.heartbeat.grace);
}

/** The expected-ping schedule of a spec, read in `timezone`. */
export function heartbeatSchedule(spec: HeartbeatSpec, timezone: string): ScheduleSpec {
  const { every, schedule } = spec.heartbeat;
  return parseSchedule(every !== undefined ? `every ${every}` : (schedule as string), timezone);
}

/** The expectation of a heartbeat unit: its schedule (the kind's own, see `schedule` below) and grace. */
export function heartbeatExpectation(spec: HeartbeatSpec, schedule: ScheduleSpec): HeartbeatExpectation {
  return { schedule, graceMs: graceMs(spec) };
}

/** Reads the last ping from the store; never throws for the target (a store failure is upkeep's error). */
async function probeHeartbeat(_spec: HeartbeatSpec, ctx: ProbeContext): Promise<Observation> {
  const startedAt = ctx.now();
  if (!ctx.heartbeats || ctx.unitId === undefined) {
    // Wiring, not the cron job: thrown so the run is recorded as upkeep's own error.
    throw new Error('heartbeat probe has no ping store (upkeep wiring: pass heartbeats to the scheduler)');
  }
  const snapshot = await ctx.heartbeats.lastPing(ctx.unitId);
  if (!snapshot) throw new Error(`no heartbeat row for ${ctx.unitId}; it is created when upkeep starts with the plan`);
  return { startedAt, durationMs: 0, facts: { ...snapshot } };
}

/**
 * Judges a heartbeat at the probe's time: late (no ping since the last one plus the expected period and grace, or a
 * start without an end within the grace) is critical; otherwise the last ping's own verdict stands. Pure.
 */
export function evaluateHeartbeat(spec: HeartbeatSpec, observation: Observation): Verdict {
  const now = observation.startedAt;
  const s = observation.facts as unknown as HeartbeatSnapshot;
  const grace = graceMs(spec);
  const expected = expectationText(spec);
  const values: Record<string, number> = {};
  if (s.lastPingAt !== null) values.sinceLastPingMs = Math.max(0, now - s.lastPingAt);
  if (now >= s.lateAt) {
    const stuck = s.startedAt !== null && now >= s.startedAt + grace;
    const text = stuck
      ? `started at ${formatTime(s.startedAt as number)} but no success or failure ping within the ${spec.heartbeat.grace} grace`
      : s.lastPingAt === null
        ? `no ping since ${formatTime(s.createdAt)} (never pinged; expected ${expected})`
        : `no ping since ${formatTime(s.lastPingAt)} (expected ${expected})`;
    return buildVerdict(
      [{ condition: `a ping ${expected}`, passed: false, severity: 'critical', actual: 'late', failText: text }],
      values,
      '',
    );
  }
  if (s.lastPingKind === 'fail') {
    const status = s.lastExitStatus === null ? 'a failure' : `exit status ${s.lastExitStatus}`;
    return buildVerdict(
      [
        {
          condition: 'last ping reports success',
          passed: false,
          severity: 'critical',
          actual: status,
          failText: `last ping at ${formatTime(s.lastPingAt as number)} reported ${status}`,
        },
      ],
      values,
      '',
    );
  }
  const okText =
    s.lastPingAt === null
      ? `waiting for the first ping (late at ${formatTime(s.lateAt)})`
      : `last ping at ${formatTime(s.lastPingAt)}`;
  return buildVerdict([], values, okText);
}

function expectationText(spec: HeartbeatSpec): string {
  const { every, schedule } = spec.heartbeat;
  // The zone is not in the spec; the schedule text as written is what the reader of the plan recognises.
  return describeExpectation({
    schedule:
      every !== undefined
        ? { kind: 'every', everyMs: durationMs(every), text: `every ${every}` }
        : { kind: 'cron', expr: schedule as string, timezone: 'plan zone', text: `"${schedule}"` },
    graceMs: graceMs(spec),
  }).replace(' (plan zone)', '');
}

function durationMs(text: string): number {
  // Validated by the schema's durationField, so it parses.
  return parseDuration(text) ?? 0;
}

/** The heartbeat check kind. */
export const heartbeatKind: CheckKind<HeartbeatSpec> = {
  name: 'heartbeat',
  description:
    "A dead man's switch: a cron job pings /ping/<token>; no ping by the expected time plus grace, or a failure ping, alerts.",
  schema: heartbeatSchema,
  describe: (spec) => `heartbeat ${expectationText(spec)}`,
  probe: probeHeartbeat,
  evaluate: evaluateHeartbeat,
  schedule: heartbeatSchedule,
  // The grace period is the tolerance: one missed or failed run is the alert (as in Healthchecks).
  defaultAlert: { failures: 1, successes: 1 },
};
