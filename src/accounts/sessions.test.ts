/** Sign-in, sessions, CSRF and API tokens through the real server, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshPostgresDatabase, postgresSkipReason } from '../store/test-database.js';
import { SESSION_COOKIE } from './accounts-deps.js';
import { listAudit } from './audit.js';
import { type AccountsHarness, ADMIN, accountsHarness } from './test-accounts.js';

void freshPostgresDatabase; // referenced so the test launcher starts PostgreSQL for this file

const pgSkip = postgresSkipReason();
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`sessions and tokens on ${backend}`, { skip: backend === 'postgres' ? pgSkip : undefined }, () => {
    let h: AccountsHarness;
    before(async () => {
      h = await accountsHarness(backend);
    });
    after(() => h?.close());

    it('the setup link creates the first admin with an HttpOnly, SameSite=Lax cookie, and works once', async () => {
      assert.deepEqual((await h.call('GET', '/api/auth/setup')).json(), { needed: true });
      const stale = await h.setupToken();
      const token = await h.setupToken(); // a restart prints a new link: the old one stops working
      const old = await h.call('POST', '/api/auth/setup', { body: { token: stale, ...ADMIN } });
      assert.equal(old.statusCode, 401);
      assert.equal(old.json().code, 'setup_token_invalid');
      const weak = await h.call('POST', '/api/auth/setup', { body: { token, email: ADMIN.email, password: 'short' } });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.json().error, /at least 12 characters/);
      const res = await h.call('POST', '/api/auth/setup', { body: { token, ...ADMIN } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().user.email, ADMIN.email);
      assert.equal(res.json().user.role, 'admin');
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=`));
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      assert.doesNotMatch(setCookie, /Secure/, 'plain http: no Secure flag');
      const again = await h.call('POST', '/api/auth/setup', { body: { token, ...ADMIN } });
      assert.equal(again.statusCode, 409, 'single use');
      assert.deepEqual((await h.call('GET', '/api/auth/setup')).json(), { needed: false });
    });

    it('signs in with a fresh session each time; logout deletes the session', async () => {
      const wrong = await h.call('POST', '/api/auth/login', {
        body: { email: ADMIN.email, password: 'nope nope nope' },
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error, 'wrong email or password');
      const a = await h.signIn(ADMIN.email, ADMIN.password);
      const b = await h.signIn(ADMIN.email.toUpperCase(), ADMIN.password);
      assert.notEqual(a.cookie, b.cookie);
      const me = await h.call('GET', '/api/auth/me', { browser: a });
      assert.equal(me.statusCode, 200);
      assert.deepEqual(Object.keys(me.json().user).sort(), ['email', 'id', 'role', 'totp']);
      assert.equal(me.json().csrfToken, a.csrf);
      assert.equal((await h.call('POST', '/api/auth/logout', { browser: a })).statusCode, 204);
      assert.equal((await h.call('GET', '/api/units', { browser: a })).statusCode, 401, 'the session row is gone');
      assert.equal((await h.call('GET', '/api/units', { browser: b })).statusCode, 200);
      const actions = (await listAudit(h.store.database, { limit: 20 })).map((e) => e.action);
      for (const action of ['auth.setup', 'auth.login', 'auth.login_failed', 'auth.logout'])
        assert.ok(actions.includes(action), `audit records ${action}`);
    });

    it('refuses cookie calls that change state from another origin or without the CSRF token', async () => {
      const browser = await h.signIn(ADMIN.email, ADMIN.password);
      const body = { name: 'ci', role: 'viewer' };
      const cross = await h.call('POST', '/api/tokens', { browser, body, origin: 'https://evil.example' });
      assert.equal(cross.statusCode, 403);
      assert.equal(cross.json().code, 'csrf');
      const noOrigin = await h.call('POST', '/api/tokens', { browser, body, origin: null });
      assert.equal(noOrigin.statusCode, 403);
      const noToken = await h.call('POST', '/api/tokens', {
        browser: { ...browser, csrf: '' },
        body,
        headers: {},
      });
      assert.equal(noToken.statusCode, 403);
      assert.match(noToken.json().error, /x-csrf-token/);
      const ok = await h.call('POST', '/api/tokens', { browser, body });
      assert.equal(ok.statusCode, 201, ok.body);
      const crossLogin = await h.call('POST', '/api/auth/login', {
        body: { email: ADMIN.email, password: ADMIN.password },
        origin: 'https://evil.example',
      });
      assert.equal(crossLogin.statusCode, 403, 'login CSRF refused');
    });

    it('a password change ends the other sessions; their cookies are refused', async () => {
      const keep = await h.signIn(ADMIN.email, ADMIN.password);
      const other = await h.signIn(ADMIN.email, ADMIN.password);
      const next = 'a brand new passphrase';
      const wrong = await h.call('POST', '/api/auth/password', { browser: keep, body: { current: 'x', next } });
      assert.equal(wrong.statusCode, 400);
      const res = await h.call('POST', '/api/auth/password', {
        browser: keep,
        body: { current: ADMIN.password, next },
      });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal((await h.call('GET', '/api/units', { browser: other })).statusCode, 401);
      assert.equal((await h.call('GET', '/api/units', { browser: keep })).statusCode, 200);
      await assert.rejects(h.signIn(ADMIN.email, ADMIN.password), /401/);
      await h.signIn(ADMIN.email, next);
      // Back to the shared password for the other tests.
      await h.call('POST', '/api/auth/password', { browser: keep, body: { current: next, next: ADMIN.password } });
    });

    it('ends a session after 12 h idle, and after 7 days however busy', async () => {
      const idle = await h.signIn(ADMIN.email, ADMIN.password);
      h.clock.advance(12 * 3_600_000 - 1000);
      assert.equal((await h.call('GET', '/api/units', { browser: idle })).statusCode, 200);
      h.clock.advance(12 * 3_600_000 - 1000);
      assert.equal((await h.call('GET', '/api/units', { browser: idle })).statusCode, 200, 'use resets the idle timer');
      h.clock.advance(12 * 3_600_000);
      assert.equal((await h.call('GET', '/api/units', { browser: idle })).statusCode, 401);

      // Used every hour, the session never idles out, but ends at its absolute limit.
      const busy = await h.signIn(ADMIN.email, ADMIN.password);
      for (let hour = 0; hour < 7 * 24 - 1; hour++) {
        h.clock.advance(3_600_000);
        assert.equal((await h.call('GET', '/api/units', { browser: busy })).statusCode, 200);
      }
      h.clock.advance(3_600_000);
      assert.equal((await h.call('GET', '/api/units', { browser: busy })).statusCode, 401, 'absolute timeout');
    });

    it('a revoked API token is refused on the next call; its last use is recorded', async () => {
      const admin = await h.signIn(ADMIN.email, ADMIN.password);
      const created = await h.call('POST', '/api/tokens', {
        browser: admin,
        body: { name: 'deploy', role: 'operator' },
      });
      const { id, token } = created.json() as { id: string; token: string };
      assert.match(token, /^upk_[A-Za-z0-9_-]{43}$/);
      const bearer = { authorization: `Bearer ${token}` };
      assert.equal((await h.call('GET', '/api/units', { headers: bearer })).statusCode, 200);
      const listed = (await h.call('GET', '/api/tokens', { browser: admin })).json() as {
        id: string;
        lastUsedAt: number;
      }[];
      assert.equal(listed.find((t) => t.id === id)?.lastUsedAt, h.clock.now());
      assert.ok(!JSON.stringify(listed).includes(token), 'the list never shows a token');
      assert.equal((await h.call('GET', '/api/users', { headers: bearer })).statusCode, 403, 'operator is not admin');
      assert.equal((await h.call('DELETE', `/api/tokens/${id}`, { browser: admin })).statusCode, 204);
      const after = await h.call('GET', '/api/units', { headers: bearer });
      assert.equal(after.statusCode, 401);
      assert.match(after.json().error, /revoked/);
    });

    it('slows brute-force sign-ins with a growing wait that expires, without locking the owner out', async () => {
      const attempt = (password: string, ip = '203.0.113.9') =>
        h.call('POST', '/api/auth/login', { body: { email: ADMIN.email, password }, ip });
      for (let i = 0; i < 5; i++) assert.equal((await attempt(`guess number ${i}`)).statusCode, 401);
      assert.equal((await attempt('guess number 5')).statusCode, 401, 'the 6th failure sets a wait');
      const slowed = await attempt(ADMIN.password);
      assert.equal(slowed.statusCode, 429, 'even the right password waits');
      assert.equal(slowed.json().retryAfterSeconds, 1);
      assert.equal(slowed.headers['retry-after'], '1');
      h.clock.advance(1000);
      assert.equal((await attempt('guess number 6')).statusCode, 401);
      assert.equal((await attempt(ADMIN.password)).json().retryAfterSeconds, 2, 'the wait doubles');
      // The owner elsewhere is not locked out by the attacker's failures.
      assert.equal((await attempt(ADMIN.password, '198.51.100.7')).statusCode, 200);
      h.clock.advance(2000);
      assert.equal((await attempt(ADMIN.password)).statusCode, 200, 'allowed again once the wait is over');
    });

    it('answers oversize, malformed and unexpected login bodies with a clear 4xx', async () => {
      const huge = await h.call('POST', '/api/auth/login', {
        body: { email: ADMIN.email, password: 'x'.repeat(20_000) },
      });
      assert.equal(huge.statusCode, 413);
      assert.match(huge.json().error, /too large|larger than/i);
      const malformed = await h.server.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "a@b.c", "password": ',
      });
      assert.equal(malformed.statusCode, 400);
      assert.match(malformed.json().error, /JSON/);
      const extra = await h.call('POST', '/api/auth/login', { body: { email: 'a@b.c', password: 'p', admin: true } });
      assert.equal(extra.statusCode, 400);
      assert.match(extra.json().error, /admin/);
      const notObject = await h.call('POST', '/api/auth/login', { body: [1, 2] });
      assert.equal(notObject.statusCode, 400);
      assert.doesNotMatch(malformed.body + extra.body + notObject.body, /\n\s+at /, 'no stack trace');
    });

    it('stores SQL-looking and script-looking emails and token names as text', async () => {
      const admin = await h.signIn(ADMIN.email, ADMIN.password);
      const emails = ["x'or'1'='1@example.com", '<script>alert(1)</script>@example.com', 'robert");drop@example.com'];
      for (const email of emails) {
        const res = await h.call('POST', '/api/users', {
          browser: admin,
          body: { email, role: 'viewer', password: 'a long enough password' },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const names = ["'); DROP TABLE api_tokens; --", '<img src=x onerror=alert(1)>'];
      for (const name of names)
        assert.equal(
          (await h.call('POST', '/api/tokens', { browser: admin, body: { name, role: 'viewer' } })).statusCode,
          201,
        );
      const users = (await h.call('GET', '/api/users', { browser: admin })).json() as { email: string }[];
      for (const email of emails)
        assert.ok(
          users.some((u) => u.email === email),
          email,
        );
      const tokens = (await h.call('GET', '/api/tokens', { browser: admin })).json() as { name: string }[];
      for (const name of names)
        assert.ok(
          tokens.some((t) => t.name === name),
          name,
        );
      const res = await h.call('GET', '/api/users', { browser: admin });
      assert.match(String(res.headers['content-type']), /application\/json/);
      await h.signIn(emails[0] as string, 'a long enough password');
    });
  });
}
