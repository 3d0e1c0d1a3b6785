import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertState, Transition } from '../core/alert-state.js';
import type { UnitRecord } from '../core/run.js';
import { EMPTY_NOTIFY_STATE, type UnitNotifyState } from './notify-schema.js';
import { planReminder, planTransition } from './plan-notifications.js';
import type { UnitNotifyPolicy } from './policy.js';

const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
const HOUR = 3_600_000;
const ctx = { now: T0, baseUrl: 'https://upkeep.example' };

const policy: UnitNotifyPolicy = {
  channels: { critical: ['pager', 'mail'], warning: ['chat'], info: [] },
  renotifyMs: 2 * HOUR,
  recovery: true,
  flapping: { changes: 4, withinMs: HOUR },
};

function unit(alert: Partial<AlertState> = {}): UnitRecord {
  return {
    id: 'shop/api',
    app: 'shop',
    name: 'api',
    type: 'check',
    kind: 'http',
    target: 'GET https://shop.example/health',
    schedule: 'every 1m',
    specHash: 'h',
    nextRunAt: null,
    runningSince: null,
    runningBy: null,
    leaseUntil: null,
    alert: {
      state: 'firing',
      severity: 'critical',
      since: T0,
      consecutiveFailures: 2,
      consecutiveSuccesses: 0,
      lastSummary: 'HTTP 503 in 40ms',
      ...alert,
    },
    lastRunAt: null,
    lastOutcome: null,
  };
}

function t(from: Transition['from'], to: Transition['to'], extra: Partial<Transition> = {}): Transition {
  return { unitId: 'shop/api', at: T0, from, to, reason: `${from}→${to}`, inMaintenance: false, ...extra };
}

const told = (severity: 'critical' | 'warning', since = T0 - HOUR): UnitNotifyState => ({
  notifiedSeverity: severity,
  episodeSince: since,
  lastNotifiedAt: since,
  flappingSince: null,
});

const plan = (transition: Transition, state: UnitNotifyState = EMPTY_NOTIFY_STATE, recentChanges = 1, p = policy) =>
  planTransition({ id: 7, transition, unit: unit(), state, recentChanges }, p, ctx);

const reasonOf = (r: { rows: { message: unknown }[] }) =>
  (r.rows[0]?.message as { reason?: string } | undefined)?.reason;

const summary = (r: ReturnType<typeof plan>) => r.rows.map((row) => `${row.channel}:${row.event}:${row.status}`);

describe('planTransition', () => {
  it('a new firing goes to its severity’s channels with the exact message, and remembers what was told', () => {
    const r = plan(t('pending', 'firing', { severity: 'critical', reason: '2 consecutive failures: HTTP 503' }));
    assert.deepEqual(summary(r), ['pager:firing:pending', 'mail:firing:pending']);
    assert.deepEqual(r.rows[0]?.message, {
      event: 'firing',
      app: 'shop',
      unitId: 'shop/api',
      unitName: 'api',
      severity: 'critical',
      since: T0,
      at: T0,
      reason: '2 consecutive failures: HTTP 503',
      summary: 'HTTP 503 in 40ms',
      target: 'GET https://shop.example/health',
      url: 'https://upkeep.example/api/units/shop/api',
      dedupKey: `upkeep:shop/api:${T0}`,
    });
    assert.deepEqual(r.state, {
      notifiedSeverity: 'critical',
      episodeSince: T0,
      lastNotifiedAt: T0,
      flappingSince: null,
    });
  });

  it('pending, ok, maintenance, error and anything inside a window send nothing', () => {
    for (const tr of [
      t('ok', 'pending', { severity: 'critical' }),
      t('pending', 'ok'),
      t('firing', 'maintenance', { inMaintenance: true }),
      t('ok', 'error'),
      t('pending', 'firing', { severity: 'critical', inMaintenance: true }),
    ]) {
      assert.deepEqual(plan(tr).rows, [], `${tr.from}→${tr.to}`);
    }
  });

  it('a resolved is sent only when its firing was, to the channels that heard it, and only with recovery on', () => {
    assert.deepEqual(plan(t('firing', 'resolved')).rows, [], 'firing never told');
    const r = plan(t('firing', 'resolved', { at: T0 + 5 * 60_000 }), told('critical'));
    assert.deepEqual(summary(r), ['pager:resolved:pending', 'mail:resolved:pending']);
    const message = r.rows[0]?.message as { since: number; at: number; severity: string; dedupKey: string };
    assert.deepEqual([message.since, message.at, message.severity], [T0 - HOUR, T0 + 5 * 60_000, 'critical']);
    assert.equal(message.dedupKey, `upkeep:shop/api:${T0 - HOUR}`, 'same dedup key as its firing');
    assert.deepEqual(r.state, EMPTY_NOTIFY_STATE);
    const off = plan(t('firing', 'resolved'), told('critical'), 1, { ...policy, recovery: false });
    assert.deepEqual([off.rows, off.state], [[], EMPTY_NOTIFY_STATE]);
  });

  it('escalation and easing notify the new severity’s channels; a firing already told is not repeated', () => {
    const up = plan(
      t('firing', 'firing', { severity: 'critical', reason: 'escalated to critical: x' }),
      told('warning'),
    );
    assert.deepEqual(summary(up), ['pager:firing:pending', 'mail:firing:pending']);
    assert.equal(up.state.episodeSince, T0 - HOUR, 'still the same problem');
    const down = plan(t('firing', 'firing', { severity: 'warning' }), told('critical'));
    assert.deepEqual(summary(down), ['chat:firing:pending']);
    // A maintenance window ended with the problem still there: people already know.
    assert.deepEqual(plan(t('maintenance', 'firing', { severity: 'critical' }), told('critical')).rows, []);
    // A severity with no route: nothing to send, nothing remembered.
    const info = plan(t('pending', 'firing', { severity: 'info' }));
    assert.deepEqual([info.rows, info.state], [[], EMPTY_NOTIFY_STATE]);
  });

  it('flapping: the change past the limit sends one flapping message; later changes are held', () => {
    const first = plan(
      t('resolved', 'firing', { severity: 'critical', reason: 'failed: HTTP 503' }),
      told('critical'),
      5,
    );
    assert.deepEqual(summary(first), ['pager:firing:pending', 'mail:firing:pending']);
    assert.equal(
      reasonOf(first),
      'flapping: 5 state changes within 1h (latest: failed: HTTP 503); further changes are held until it is stable for 1h',
    );
    assert.equal(first.state.flappingSince, T0);
    const held = plan(t('firing', 'resolved'), first.state, 6);
    assert.deepEqual(summary(held), ['pager:resolved:suppressed', 'mail:resolved:suppressed']);
    assert.match(held.rows[0]?.note ?? '', /^held: flapping since 2026-01-10T08:00:00.000Z$/);
    assert.deepEqual(held.state, first.state, 'holding changes nothing');
    // At the limit, not past it: a normal message.
    assert.deepEqual(summary(plan(t('resolved', 'firing', { severity: 'warning' }), EMPTY_NOTIFY_STATE, 4)), [
      'chat:firing:pending',
    ]);
    assert.deepEqual(
      summary(
        plan(t('resolved', 'firing', { severity: 'warning' }), EMPTY_NOTIFY_STATE, 9, { ...policy, flapping: null }),
      ),
      ['chat:firing:pending'],
      'damping off',
    );
  });

  it('a unit gone from the plan gets nothing', () => {
    const r = planTransition(
      {
        id: 1,
        transition: t('pending', 'firing', { severity: 'critical' }),
        unit: undefined,
        state: EMPTY_NOTIFY_STATE,
        recentChanges: 1,
      },
      policy,
      ctx,
    );
    assert.deepEqual(r.rows, []);
  });
});

describe('planReminder', () => {
  const remind = (
    state: UnitNotifyState,
    now: number,
    alert: Partial<AlertState> = {},
    lastChangeAt: number | null = T0 - HOUR,
  ) => planReminder({ unit: unit(alert), state, lastChangeAt }, policy, { ...ctx, now });

  it('reminds every renotify while firing, and not before', () => {
    const state = told('critical', T0);
    assert.equal(remind(state, T0 + 2 * HOUR - 1), null);
    const r = remind(state, T0 + 2 * HOUR);
    assert.ok(r);
    assert.deepEqual(
      r.rows.map((row) => `${row.channel}:${row.event}`),
      ['pager:reminder', 'mail:reminder'],
    );
    assert.equal(reasonOf(r), 'still firing since 2026-01-10T08:00:00.000Z: HTTP 503 in 40ms');
    assert.equal(r.state.lastNotifiedAt, T0 + 2 * HOUR);
    assert.equal(remind(r.state, T0 + 3 * HOUR), null);
    assert.ok(remind(r.state, T0 + 4 * HOUR));
    assert.equal(remind(state, T0 + 9 * HOUR, { state: 'maintenance' }), null, 'no reminders in a window');
    assert.equal(
      planReminder(
        { unit: unit(), state, lastChangeAt: null },
        { ...policy, renotifyMs: null },
        { ...ctx, now: T0 + 9 * HOUR },
      ),
      null,
    );
  });

  it('flapping ends after a quiet window with one message of the current state', () => {
    const flapping: UnitNotifyState = { ...told('critical', T0), flappingSince: T0 };
    assert.equal(remind(flapping, T0 + 2 * HOUR, {}, T0 + HOUR + 1), null, 'changed within the last hour');
    const firing = remind(flapping, T0 + 2 * HOUR, {}, T0 + HOUR);
    assert.ok(firing);
    assert.deepEqual(
      firing.rows.map((r) => `${r.channel}:${r.event}`),
      ['pager:firing', 'mail:firing'],
    );
    assert.equal(reasonOf(firing), 'stable again (no state change for 1h), still firing: HTTP 503 in 40ms');
    assert.equal(firing.state.flappingSince, null);
    const ok = remind(flapping, T0 + 2 * HOUR, { state: 'resolved', severity: undefined }, T0 + HOUR);
    assert.ok(ok);
    assert.deepEqual(
      ok.rows.map((r) => `${r.channel}:${r.event}`),
      ['pager:resolved', 'mail:resolved'],
    );
    assert.deepEqual(ok.state, EMPTY_NOTIFY_STATE);
  });
});
