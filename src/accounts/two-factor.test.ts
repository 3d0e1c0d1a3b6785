/** TOTP through the real server: enrolment, sign-in with a code, replays, recovery codes, and requireTotp. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccountsHarness, ADMIN, accountsHarness, type Browser } from './test-accounts.js';
import { totpCode } from './totp.js';

const VIEWER = { email: 'viewer@example.com', password: 'viewer passphrase 42' };

describe('two-factor sign-in', () => {
  let h: AccountsHarness;
  let admin: Browser;
  let secret: string;
  let recovery: string[];
  before(async () => {
    h = await accountsHarness('sqlite');
    admin = await h.setup();
  });
  after(() => h?.close());

  const login = (extra: Record<string, string> = {}, who = ADMIN) =>
    h.call('POST', '/api/auth/login', { body: { email: who.email, password: who.password, ...extra } });

  it('enrols: a pending secret until a first code confirms it, then 10 recovery codes', async () => {
    const enrolled = await h.call('POST', '/api/auth/totp/enroll', { browser: admin });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    ({ secret } = enrolled.json() as { secret: string });
    assert.match(enrolled.json().otpauthUrl, /^otpauth:\/\/totp\/upkeep:admin%40example\.com\?.*secret=/);
    const me = await h.call('GET', '/api/auth/me', { browser: admin });
    assert.equal(me.json().user.totp, false, 'not on until confirmed');
    const bad = await h.call('POST', '/api/auth/totp/confirm', { browser: admin, body: { code: '000000' } });
    assert.equal(bad.statusCode, 400);
    const ok = await h.call('POST', '/api/auth/totp/confirm', {
      browser: admin,
      body: { code: totpCode(secret, h.clock.now()) },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    recovery = ok.json().recoveryCodes;
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10);
    assert.equal((await h.call('GET', '/api/auth/me', { browser: admin })).json().user.totp, true);
  });

  it('requires the code at sign-in and refuses a replay of the same code', async () => {
    const needed = await login();
    assert.equal(needed.statusCode, 401);
    assert.equal(needed.json().code, 'totp_required');
    // The code that confirmed the enrolment was used: the same 30 s step is a replay.
    const replay = await login({ totp: totpCode(secret, h.clock.now()) });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().code, 'totp_invalid');
    h.clock.advance(30_000);
    const code = totpCode(secret, h.clock.now());
    assert.equal((await login({ totp: code })).statusCode, 200, 'a fresh code is accepted');
    assert.equal((await login({ totp: code })).statusCode, 401, 'and only once');
    h.clock.advance(30_000);
    assert.equal((await login({ totp: '123456', password: 'wrong wrong wrong' })).statusCode, 401);
  });

  it('accepts a recovery code once', async () => {
    const code = recovery[0] as string;
    assert.equal((await login({ recoveryCode: code.toUpperCase() })).statusCode, 200);
    const again = await login({ recoveryCode: code });
    assert.equal(again.statusCode, 401);
    assert.equal(again.json().code, 'totp_invalid');
    assert.equal((await login({ recoveryCode: recovery[1] as string })).statusCode, 200);
  });

  it('with requireTotp, a user without TOTP is sent to enrol and refused elsewhere until enrolled', async () => {
    admin = await h.signIn(ADMIN.email, ADMIN.password, { recoveryCode: recovery[2] as string });
    const user = await h.call('POST', '/api/users', { browser: admin, body: { ...VIEWER, role: 'viewer' } });
    assert.equal(user.statusCode, 201, user.body);
    const set = await h.call('PUT', '/api/settings', { browser: admin, body: { requireTotp: true } });
    assert.deepEqual(set.json(), { requireTotp: true });
    const viewer = await h.signIn(VIEWER.email, VIEWER.password);
    assert.equal((await h.call('GET', '/api/auth/me', { browser: viewer })).json().mustEnrollTotp, true);
    const refused = await h.call('GET', '/api/units', { browser: viewer });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'totp_required');
    const { secret: own } = (await h.call('POST', '/api/auth/totp/enroll', { browser: viewer })).json();
    const confirmed = await h.call('POST', '/api/auth/totp/confirm', {
      browser: viewer,
      body: { code: totpCode(own, h.clock.now()) },
    });
    assert.equal(confirmed.statusCode, 200);
    assert.equal((await h.call('GET', '/api/auth/me', { browser: viewer })).json().mustEnrollTotp, false);
    assert.equal((await h.call('GET', '/api/units', { browser: viewer })).statusCode, 200);
    await h.call('PUT', '/api/settings', { browser: admin, body: { requireTotp: false } });
  });

  it('turns TOTP off with a valid code', async () => {
    const wrong = await h.call('DELETE', '/api/auth/totp', { browser: admin, body: { code: '000000' } });
    assert.equal(wrong.statusCode, 400);
    h.clock.advance(30_000);
    const off = await h.call('DELETE', '/api/auth/totp', {
      browser: admin,
      body: { code: totpCode(secret, h.clock.now()) },
    });
    assert.equal(off.statusCode, 204, off.body);
    assert.equal((await login()).statusCode, 200, 'password alone signs in again');
  });
});
