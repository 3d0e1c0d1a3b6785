import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialAlertState } from '../alerts/transition.js';
import { PlanError, parsePlan } from '../plan/load-plan.js';
import { parseSchedule } from '../schedule/schedule-spec.js';
import { evaluateHeartbeat, heartbeatSchema } from './heartbeat-kind.js';
import {
  applyPing,
  type HeartbeatExpectation,
  lateAt,
  newSnapshot,
  nextLateAfter,
  type PingInput,
} from './heartbeat-state.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// "0 2 * * *" in Asia/Kolkata (UTC+05:30) fires at 20:30 UTC the day before.
const cronKolkata: HeartbeatExpectation = { schedule: parseSchedule('0 2 * * *', 'Asia/Kolkata'), graceMs: HOUR };
const daily: HeartbeatExpectation = { schedule: parseSchedule('every 1d', 'UTC'), graceMs: HOUR };

function ping(kind: PingInput['kind'], at: number, extra: Partial<PingInput> = {}): PingInput {
  const base = { unitId: 'a/hb', at, kind, exitStatus: null, rid: null, body: '', bodyBytes: 0 };
  return { ...base, bodyTruncated: false, method: 'GET', remoteAddr: null, userAgent: null, ...extra };
}
const ctx = (startAt: number | null = null) => ({
  exp: cronKolkata,
  policy: { failureThreshold: 1, successThreshold: 1 },
  inMaintenance: false,
  worker: 'w',
  startAt,
});

describe('heartbeat lateness (pure, fixed clock)', () => {
  it('every: the last ping plus the period plus the grace', () => {
    const at = Date.parse('2026-03-01T10:00:00Z');
    assert.equal(lateAt(daily, { createdAt: 0, lastPingAt: at, startedAt: null }), at + DAY + HOUR);
    assert.equal(nextLateAfter(daily, at + DAY + HOUR), at + 2 * DAY + HOUR);
  });

  it('cron in Asia/Kolkata: the next 02:00 there plus the grace', () => {
    const ranAt = Date.parse('2026-03-01T20:31:00Z'); // 02:01 IST on 2 March
    assert.equal(
      lateAt(cronKolkata, { createdAt: 0, lastPingAt: ranAt, startedAt: null }),
      Date.parse('2026-03-02T21:30:00Z'), // 02:00 IST on 3 March + 1h
    );
  });

  it('cron: a ping a few seconds early (a clock running ahead) counts for that fire time', () => {
    const early = Date.parse('2026-03-01T20:29:55Z'); // 01:59:55 IST
    assert.equal(
      lateAt(cronKolkata, { createdAt: 0, lastPingAt: early, startedAt: null }),
      Date.parse('2026-03-02T21:30:00Z'),
    );
  });

  it('cron: the next lateness after a late claim is the next fire time plus the grace', () => {
    assert.equal(nextLateAfter(cronKolkata, Date.parse('2026-03-01T21:30:00Z')), Date.parse('2026-03-02T21:30:00Z'));
  });

  it('a start without an end is late after the grace', () => {
    const start = Date.parse('2026-03-01T20:30:00Z');
    const snap = { ...newSnapshot(cronKolkata, start - DAY), lastPingAt: start - DAY + MIN };
    const effect = applyPing({ snapshot: snap, alert: initialAlertState(0) }, ping('start', start), ctx());
    assert.equal(effect.snapshot.lateAt, start + HOUR);
    assert.equal(effect.nextRunAt, start + HOUR);
    assert.equal(effect.run, null);
    const verdict = evaluateHeartbeat(heartbeatSchema.parse({ heartbeat: { schedule: '0 2 * * *', grace: '1h' } }), {
      startedAt: start + HOUR,
      durationMs: 0,
      facts: { ...effect.snapshot },
    });
    assert.equal(verdict.outcome, 'critical');
    assert.equal(verdict.summary, 'started at 2026-03-01T20:30:00Z but no success or failure ping within the 1h grace');
  });

  it('a fail ping with an exit status is a critical run naming the last log line', () => {
    const snap = newSnapshot(cronKolkata, 0);
    const at = Date.parse('2026-03-01T20:35:00Z');
    const effect = applyPing(
      { snapshot: snap, alert: initialAlertState(0) },
      ping('fail', at, { exitStatus: 2, body: 'x\nrsync: disk full\n\n' }),
      ctx(at - 30_000),
    );
    assert.equal(effect.run?.outcome, 'critical');
    assert.equal(effect.run?.summary, 'exit status 2: rsync: disk full (ran 30s)');
    assert.equal(effect.alert.state, 'firing');
    assert.equal(effect.change?.to, 'firing');
  });
});

describe('heartbeat evaluate (pure)', () => {
  const spec = heartbeatSchema.parse({ heartbeat: { every: '1d', grace: '1h' } });
  const snap = {
    ...newSnapshot(daily, 0),
    lastPingAt: 1_000,
    lastPingKind: 'success' as const,
    lateAt: 1_000 + DAY + HOUR,
  };

  it('late: critical with the reason and the expectation', () => {
    const v = evaluateHeartbeat(spec, { startedAt: snap.lateAt, durationMs: 0, facts: { ...snap } });
    assert.equal(v.outcome, 'critical');
    assert.equal(v.summary, 'no ping since 1970-01-01T00:00:01Z (expected every 1d + 1h grace)');
  });

  it('a ping arrived meanwhile (race): ok', () => {
    const v = evaluateHeartbeat(spec, { startedAt: snap.lateAt - 1, durationMs: 0, facts: { ...snap } });
    assert.equal(v.outcome, 'ok');
  });

  it('the grace defaults to 5m', () => {
    assert.equal(heartbeatSchema.parse({ heartbeat: { every: '1h' } }).heartbeat.grace, '5m');
  });
});

describe('heartbeat in the plan', () => {
  const plan = (entry: string) => `version: 1\ntimezone: Asia/Kolkata\napps:\n  a:\n    checks:\n      hb: ${entry}\n`;

  it('compiles to a unit due on the ping schedule, in the plan zone, firing on the first miss', () => {
    const { units } = parsePlan(plan('{ heartbeat: { schedule: "0 2 * * *", grace: 1h } }'), { file: 'p', env: {} });
    const [unit] = units;
    assert.deepEqual(unit?.schedule, { kind: 'cron', expr: '0 2 * * *', timezone: 'Asia/Kolkata', text: '0 2 * * *' });
    assert.deepEqual(unit?.policy, { failureThreshold: 1, successThreshold: 1 });
    assert.equal(unit?.target, 'heartbeat "0 2 * * *" + 1h grace');
  });

  it('refuses a common every/schedule beside the heartbeat, and both or neither inside it', () => {
    for (const entry of [
      '{ heartbeat: { every: 1d }, every: 5m }',
      '{ heartbeat: { every: 1d, schedule: "0 2 * * *" } }',
      '{ heartbeat: { grace: 1h } }',
    ]) {
      assert.throws(() => parsePlan(plan(entry), { file: 'p', env: {} }), PlanError, entry);
    }
  });
});
