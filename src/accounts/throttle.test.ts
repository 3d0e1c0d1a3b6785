import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT_POLICY, afterFailure, type ThrottleState, throttleKeys, waitMs } from './throttle.js';

const T0 = 1_000_000;

describe('login throttle (pure)', () => {
  it('lets the first failures through, then doubles the wait up to the cap', () => {
    let state: ThrottleState | undefined;
    const waits: number[] = [];
    let now = T0;
    for (let i = 0; i < 20; i++) {
      state = afterFailure(state, now, ACCOUNT_POLICY);
      waits.push(waitMs(state, now));
      now = state.blockedUntil; // the attacker retries the moment the wait ends
    }
    assert.deepEqual(waits.slice(0, 9), [0, 0, 0, 0, 0, 1000, 2000, 4000, 8000]);
    assert.equal(Math.max(...waits), ACCOUNT_POLICY.maxDelayMs, 'capped: never a lock-out');
    assert.equal(waits.at(-1), ACCOUNT_POLICY.maxDelayMs);
  });

  it('the wait expires, and failures are forgotten after a quiet hour', () => {
    let state: ThrottleState | undefined;
    for (let i = 0; i < 6; i++) state = afterFailure(state, T0, ACCOUNT_POLICY);
    assert.equal(waitMs(state, T0), 1000);
    assert.equal(waitMs(state, T0 + 999), 1);
    assert.equal(waitMs(state, T0 + 1000), 0);
    const later = afterFailure(state, T0 + ACCOUNT_POLICY.forgetAfterMs + 1, ACCOUNT_POLICY);
    assert.equal(later.failures, 1);
    assert.equal(waitMs(later, T0 + ACCOUNT_POLICY.forgetAfterMs + 1), 0);
  });

  it('keys an account by account and IP, so failures elsewhere do not lock its owner out', () => {
    const [ip, account] = throttleKeys('Admin@Example.com', '203.0.113.9');
    assert.equal(ip?.key, 'ip:203.0.113.9');
    assert.equal(account?.key, 'account:admin@example.com|ip:203.0.113.9');
    assert.notEqual(throttleKeys('admin@example.com', '198.51.100.7')[1]?.key, account?.key);
  });
});
