import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SESSION_POLICY, sessionEnded, shouldTouch } from './session-policy.js';
import { checkTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpCode } from './totp.js';

const T0 = Date.parse('2026-12-01T10:00:10Z');

describe('TOTP (pure, RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vector', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s gives 94287082 (8 digits); 6 digits: 287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(totpCode(secret, 59_000), '287082');
    assert.deepEqual(checkTotp(secret, '287082', 59_000, null), { ok: true, step: 1 });
  });

  it('accepts the previous and next step, not further', () => {
    const secret = newTotpSecret();
    assert.equal(checkTotp(secret, totpCode(secret, T0 - 30_000), T0, null).ok, true);
    assert.equal(checkTotp(secret, totpCode(secret, T0 + 30_000), T0, null).ok, true);
    assert.deepEqual(checkTotp(secret, totpCode(secret, T0 - 90_000), T0, null), { ok: false, reason: 'wrong' });
    assert.deepEqual(checkTotp(secret, 'abcdef', T0, null), { ok: false, reason: 'wrong' });
  });

  it('refuses a code of a step already used (replay), or older', () => {
    const secret = newTotpSecret();
    const first = checkTotp(secret, totpCode(secret, T0), T0, null);
    assert.ok(first.ok);
    assert.deepEqual(checkTotp(secret, totpCode(secret, T0), T0 + 5_000, first.step), {
      ok: false,
      reason: 'replayed',
    });
    assert.equal(checkTotp(secret, totpCode(secret, T0 + 30_000), T0 + 30_000, first.step).ok, true);
  });

  it('makes 10 distinct recovery codes whose hash ignores case and dashes', () => {
    const codes = newRecoveryCodes();
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    const code = codes[0] as string;
    assert.equal(recoveryCodeHash(code.toUpperCase().replaceAll('-', ' ')), recoveryCodeHash(code));
    assert.notEqual(recoveryCodeHash(code), recoveryCodeHash(codes[1] as string));
  });
});

describe('session policy (pure)', () => {
  const p = DEFAULT_SESSION_POLICY;
  it('ends a session idle for 12 h or older than 7 days', () => {
    assert.equal(sessionEnded({ createdAt: 0, lastSeenAt: 0 }, p.idleMs - 1, p), null);
    assert.equal(sessionEnded({ createdAt: 0, lastSeenAt: 0 }, p.idleMs, p), 'idle');
    assert.equal(sessionEnded({ createdAt: 0, lastSeenAt: p.absoluteMs - 1 }, p.absoluteMs, p), 'absolute');
  });
  it('writes last-seen at most once a minute', () => {
    assert.equal(shouldTouch(0, 59_999, p), false);
    assert.equal(shouldTouch(0, 60_000, p), true);
  });
});
