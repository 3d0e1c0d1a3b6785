import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  assertFailureMapping,
  deliver,
  FIRING,
  RESOLVED,
  type Receiver,
  sendContext,
  startReceiver,
} from './test-support.js';
import { signWebhook, webhookChannel } from './webhook.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'webhook',
  url: `${base}/hooks/upkeep`,
  secret: 'whsec-0123456789',
  headers: { authorization: 'Bearer hook-token' },
});
const SECRETS = ['whsec-0123456789', 'hook-token'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/hooks/upkeep',
  headers: {
    'content-type': 'application/json',
    'x-upkeep-event': 'firing',
    authorization: 'Bearer hook-token',
  },
  json: {
    version: 1,
    event: 'firing',
    app: 'shop',
    unitId: 'shop/api-health',
    unitName: 'api-health',
    severity: 'critical',
    since: 1772359200000,
    at: 1772359500000,
    reason: '2 consecutive failures: HTTP 503 (expected 2xx)',
    summary: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
    target: 'GET https://shop.example/health',
    url: 'http://127.0.0.1:8080/units/shop/api-health',
    dedupKey: 'shop/api-health#41',
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/hooks/upkeep',
  headers: {
    'content-type': 'application/json',
    'x-upkeep-event': 'resolved',
    authorization: 'Bearer hook-token',
  },
  json: {
    version: 1,
    event: 'resolved',
    app: 'shop',
    unitId: 'shop/api-health',
    unitName: 'api-health',
    severity: 'critical',
    since: 1772359200000,
    at: 1772359920000,
    reason: '1 passing run: HTTP 200',
    summary: 'HTTP 200 in 85ms',
    target: 'GET https://shop.example/health',
    url: 'http://127.0.0.1:8080/units/shop/api-health',
    dedupKey: 'shop/api-health#41',
  },
};

describe('webhook channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(webhookChannel.render(webhookChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(webhookChannel.render(webhookChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(webhookChannel, configAt(receiver.base), FIRING);
    const [req] = receiver.requests;
    assert.ok(req);
    const url = new URL(FIRING_REQUEST.url);
    assert.equal(req.method, FIRING_REQUEST.method);
    assert.equal(req.url, url.pathname + url.search);
    for (const [key, value] of Object.entries(FIRING_REQUEST.headers)) assert.equal(req.headers[key], value);
    assert.match(String(req.headers['user-agent']), /^upkeep\//);
    assert.equal(req.body, JSON.stringify(FIRING_REQUEST.json));
  });

  it('maps 401 and 404 to permanent errors, 503 and 429 to transient ones, without leaking secrets', async () => {
    await assertFailureMapping(webhookChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = webhookChannel.describe(webhookChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('signs `${timestamp}.${body}` with HMAC-SHA256 at send time, so a receiver can verify it', async () => {
    receiver.requests.length = 0;
    const now = Date.UTC(2026, 2, 1, 10, 5, 7);
    await deliver(webhookChannel, configAt(receiver.base), FIRING, sendContext({ now }));
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.headers['x-upkeep-timestamp'], String(Math.floor(now / 1000)));
    const expected = createHmac('sha256', 'whsec-0123456789')
      .update(`${Math.floor(now / 1000)}.${req.body}`)
      .digest('hex');
    assert.equal(req.headers['x-upkeep-signature'], `sha256=${expected}`);
    assert.equal(signWebhook('k', 1, 'b'), `sha256=${createHmac('sha256', 'k').update('1.b').digest('hex')}`);
  });

  it('sends no signature headers without a secret', async () => {
    receiver.requests.length = 0;
    await deliver(webhookChannel, { type: 'webhook', url: `${receiver.base}/plain` }, RESOLVED);
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.headers['x-upkeep-signature'], undefined);
    assert.equal(req.headers['x-upkeep-event'], 'resolved');
    assert.equal(JSON.parse(req.body).event, 'resolved');
  });
});
