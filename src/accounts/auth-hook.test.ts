/** The auth hook's edges: fail closed on an undeclared route, reverse proxies (trustProxy), Bearer on public routes. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type AccountsHarness, ADMIN, accountsHarness } from './test-accounts.js';

describe('the auth hook', () => {
  let h: AccountsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a route that declares no access, whoever calls', async () => {
    h = await accountsHarness('sqlite');
    h.server.get('/undeclared', async () => ({ secret: 'data' }));
    const browser = await h.setup();
    for (const opts of [{}, { browser }]) {
      const res = await h.call('GET', '/undeclared', opts);
      assert.equal(res.statusCode, 500);
      assert.match(res.json().error, /^upkeep internal error: GET \/undeclared declares no access/);
      assert.doesNotMatch(res.body, /data/);
    }
    assert.match(h.logs(), /route declares no access/);
  });

  it('behind a trusted proxy, the cookie is Secure over https and client IPs come from X-Forwarded-For', async () => {
    h = await accountsHarness('sqlite', { trustProxy: true });
    const token = await h.setupToken();
    const res = await h.call('POST', '/api/auth/setup', {
      body: { token, ...ADMIN },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.44', 'x-forwarded-host': 'upkeep.example' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['set-cookie']), /; Secure/);
    const audit = await h.call('GET', '/api/audit', {
      browser: { cookie: res.cookies[0]?.value as string, csrf: res.json().csrfToken },
    });
    assert.equal(audit.json()[0].ip, '192.0.2.44');
    // The browser's https origin through the proxy is upkeep's own origin.
    const browser = { cookie: res.cookies[0]?.value as string, csrf: res.json().csrfToken };
    const change = await h.call('PUT', '/api/settings', {
      browser,
      body: { requireTotp: false },
      origin: 'https://upkeep.example',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'upkeep.example' },
    });
    assert.equal(change.statusCode, 200, change.body);
  });

  it('without trustProxy, forwarded headers are ignored: no Secure flag, the socket address is the IP', async () => {
    h = await accountsHarness('sqlite');
    const token = await h.setupToken();
    const res = await h.call('POST', '/api/auth/setup', {
      body: { token, ...ADMIN },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.44' },
    });
    assert.doesNotMatch(String(res.headers['set-cookie']), /Secure/);
    const browser = { cookie: res.cookies[0]?.value as string, csrf: res.json().csrfToken };
    assert.equal((await h.call('GET', '/api/audit', { browser })).json()[0].ip, '127.0.0.1');
  });

  it('an unknown Bearer token is 401 on a protected route but does not block a public one', async () => {
    h = await accountsHarness('sqlite');
    const headers = { authorization: 'Bearer upk_not-a-real-token' };
    assert.equal((await h.call('GET', '/healthz', { headers })).statusCode, 200);
    const res = await h.call('GET', '/api/units', { headers });
    assert.equal(res.statusCode, 401);
    assert.match(res.json().error, /upkeep token create/);
    assert.equal((await h.call('GET', '/api/units', { headers: { authorization: 'Basic eDp5' } })).statusCode, 401);
  });
});
