import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertState } from '../core/alert-state.js';
import type { Outcome } from '../core/outcome.js';
import type { AlertPolicy } from '../plan/units.js';
import { initialAlertState, transition } from './transition.js';

const policy: AlertPolicy = { failureThreshold: 2, successThreshold: 2 };

/** Feeds outcomes one per second and returns every state visited and every change recorded. */
function replay(outcomes: (Outcome | 'maint')[], start: AlertState = initialAlertState(0), p = policy) {
  let state = start;
  const states: string[] = [];
  const changes: string[] = [];
  outcomes.forEach((o, i) => {
    const input =
      o === 'maint'
        ? { outcome: 'ok' as const, summary: 'ok', inMaintenance: true }
        : { outcome: o, summary: o === 'ok' ? 'ok in 12ms' : `bad ${o}`, inMaintenance: false };
    const { next, change } = transition(state, input, p, (i + 1) * 1000);
    state = next;
    states.push(next.severity ? `${next.state}:${next.severity}` : next.state);
    if (change) changes.push(`${change.from}->${change.to}`);
  });
  return { state, states, changes };
}

describe('transition', () => {
  it('goes ok → pending → firing → resolved with the thresholds', () => {
    const r = replay(['ok', 'critical', 'critical', 'critical', 'ok', 'ok', 'ok']);
    assert.deepEqual(r.states, [
      'ok',
      'pending:critical',
      'firing:critical',
      'firing:critical',
      'firing:critical',
      'resolved',
      'resolved',
    ]);
    assert.deepEqual(r.changes, ['ok->pending', 'pending->firing', 'firing->resolved']);
  });

  it('returns to ok when a pending problem clears before the threshold', () => {
    const r = replay(['warning', 'ok']);
    assert.deepEqual(r.changes, ['ok->pending', 'pending->ok']);
    assert.equal(r.state.state, 'ok');
  });

  it('fires at once with a threshold of one and records the reason', () => {
    const { next, change } = transition(
      initialAlertState(0),
      { outcome: 'critical', summary: 'HTTP 503 (expected 200)', inMaintenance: false },
      { failureThreshold: 1, successThreshold: 1 },
      5000,
    );
    assert.equal(next.state, 'firing');
    assert.equal(next.since, 5000);
    assert.deepEqual(change, {
      from: 'ok',
      to: 'firing',
      severity: 'critical',
      reason: 'failed: HTTP 503 (expected 200)',
      inMaintenance: false,
      at: 5000,
    });
  });

  it('records an escalation while firing, keeping the time it started', () => {
    const r = replay(['warning', 'warning', 'critical', 'critical']);
    assert.deepEqual(r.changes, ['ok->pending', 'pending->firing', 'firing->firing']);
    assert.equal(r.state.severity, 'critical');
    assert.equal(r.state.since, 2000);
  });

  it('a firing alert is not resolved by a single pass when two are required', () => {
    const r = replay(['critical', 'critical', 'ok', 'critical', 'ok']);
    assert.deepEqual(r.changes, ['ok->pending', 'pending->firing']);
    assert.equal(r.state.state, 'firing');
  });

  it("upkeep's own error is a state of its own and neither fires nor resolves the target's alert", () => {
    const r = replay(['critical', 'critical', 'error', 'error', 'critical']);
    assert.deepEqual(r.states, [
      'pending:critical',
      'firing:critical',
      'error:critical',
      'error:critical',
      'firing:critical',
    ]);
    assert.deepEqual(r.changes, ['ok->pending', 'pending->firing', 'firing->error', 'error->firing']);
    assert.equal(r.state.consecutiveFailures, 3, 'errors do not count as failures');
  });

  it('errors from a healthy unit never lead to firing', () => {
    const r = replay(['ok', 'error', 'error', 'error', 'ok']);
    assert.deepEqual(r.changes, ['ok->error', 'error->ok']);
  });

  it('maintenance holds the alert, and leaving it evaluates from the state before', () => {
    const r = replay(['critical', 'critical', 'maint', 'maint', 'ok', 'ok']);
    assert.deepEqual(r.changes, [
      'ok->pending',
      'pending->firing',
      'firing->maintenance',
      'maintenance->firing',
      'firing->resolved',
    ]);
  });

  it('a failure right after maintenance counts from zero', () => {
    const r = replay(['maint', 'critical', 'critical']);
    assert.deepEqual(r.states, ['maintenance', 'pending:critical', 'firing:critical']);
  });

  it('is pure: the same inputs give the same output and the input is not modified', () => {
    const prev = Object.freeze({ ...initialAlertState(0) });
    const input = { outcome: 'warning' as const, summary: 'slow', inMaintenance: false };
    const a = transition(prev, input, policy, 10);
    const b = transition(prev, input, policy, 10);
    assert.deepEqual(a, b);
    assert.equal(prev.state, 'ok');
  });
});
