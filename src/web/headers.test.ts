import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { type PingHarness, startPingHarness } from '../heartbeats/test-ping-server.js';
import { ManualClock } from '../schedule/clock.js';
import { type StatusHarness, startStatusHarness } from '../status/test-status.js';
import { CONTENT_SECURITY_POLICY, registerSecurityHeaders, securityHeaders } from './headers.js';
import { authHeaders } from './test-auth.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const PLAN = `version: 1
apps:
  shop:
    checks:
      api: { http: "https://shop.example/health" }
      nightly: { heartbeat: { every: 1d, grace: 1h } }
    status: { title: "Shop", show: { api: "API" } }
`;

function assertSecure(res: Response, what: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
  ]) {
    assert.ok(csp.includes(directive), `${what}: CSP has ${directive} (got ${csp})`);
  }
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, what);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
  // Plain http here: HSTS is only sent behind https.
  assert.equal(res.headers.get('strict-transport-security'), null, what);
}

describe('security headers on every answer', () => {
  let pings: PingHarness;
  let status: StatusHarness;
  before(async () => {
    pings = await startPingHarness(PLAN, new ManualClock(NOW));
    status = await startStatusHarness(PLAN, 'sqlite', NOW);
  });
  after(async () => {
    await pings?.close();
    await status?.close();
  });

  it('API, /healthz, pings (answered before Fastify), 404s and errors', async () => {
    const viewer = await authHeaders(pings.store.database, 'viewer');
    const answers: [string, Response][] = [
      ['api', await fetch(`${pings.base}/api/units`, { headers: viewer })],
      ['healthz', await fetch(`${pings.base}/healthz`)],
      ['ping', await fetch(await pings.url('shop/nightly'))],
      ['unknown ping', await fetch(`${pings.base}/ping/not-a-token`)],
      ['404', await fetch(`${pings.base}/nowhere`)],
      ['400', await fetch(`${pings.base}/api/units/shop/api/history?grain=week`, { headers: viewer })],
    ];
    assert.equal(answers[2]?.[1].status, 200);
    assert.equal(answers[4]?.[1].status, 404);
    for (const [what, res] of answers) assertSecure(res, what);
  });

  it('status page, its stylesheet and feed, badges, 304s and /metrics', async () => {
    const page = await status.get('/status/shop');
    assert.equal(page.status, 200);
    const answers: [string, Response][] = [
      ['status', page],
      ['304', await status.get('/status/shop', { 'if-none-match': page.headers.get('etag') ?? '' })],
      ['css', await status.get('/status/assets/status.css')],
      ['feed', await status.get('/status/shop/feed.atom')],
      ['badge', await status.get('/badge/shop/api/status.svg')],
      ['badge 404', await status.get('/badge/shop/nightly/status.svg')],
      ['status 404', await status.get('/status/nope')],
      ['metrics', await status.get('/metrics', await authHeaders(status.store.database, 'viewer'))],
      [
        'post 400',
        await fetch(`${status.base}/api/announcements`, {
          method: 'POST',
          body: '{',
          headers: { 'content-type': 'application/json', ...(await authHeaders(status.store.database, 'operator')) },
        }),
      ],
    ];
    assert.equal(answers[1]?.[1].status, 304);
    for (const [what, res] of answers) assertSecure(res, what);
  });

  it('adds HSTS when the request came over https (a trusted proxy says so)', async () => {
    const app = Fastify({ trustProxy: true });
    registerSecurityHeaders(app);
    app.get('/x', async () => ({ ok: true }));
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const https = await fetch(`${base}/x`, { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(https.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
      assert.equal(https.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      const plain = await fetch(`${base}/x`);
      assert.equal(plain.headers.get('strict-transport-security'), null);
    } finally {
      await app.close();
    }
    assert.equal(securityHeaders({ protocol: 'http' })['strict-transport-security'], undefined);
  });
});
