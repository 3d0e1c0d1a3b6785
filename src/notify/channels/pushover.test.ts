import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushoverChannel, pushoverPriority } from './pushover.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'pushover',
  token: 'pushoverapptoken',
  user: 'pushoveruserkey',
  apiUrl: base,
  priority: { critical: 2 },
  retry: '60s',
  expire: '1h',
});
const SECRETS = ['pushoverapptoken', 'pushoveruserkey'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/1/messages.json',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    token: 'pushoverapptoken',
    user: 'pushoveruserkey',
    title: '[CRITICAL] shop/api-health is failing',
    message:
      'What broke: 2 consecutive failures: HTTP 503 (expected 2xx)\nSince: 2026-03-01 10:00:00 UTC (5m ago)\nLast observation: HTTP 503 in 120ms: <h1>Down & out</h1>\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    url: 'http://127.0.0.1:8080/units/shop/api-health',
    url_title: 'Open in upkeep',
    priority: 2,
    timestamp: 1772359500,
    retry: 60,
    expire: 3600,
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/1/messages.json',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    token: 'pushoverapptoken',
    user: 'pushoveruserkey',
    title: '[RESOLVED] shop/api-health is back to normal',
    message:
      'Resolved: 1 passing run: HTTP 200\nFailing since: 2026-03-01 10:00:00 UTC (for 12m)\nLast observation: HTTP 200 in 85ms\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    url: 'http://127.0.0.1:8080/units/shop/api-health',
    url_title: 'Open in upkeep',
    priority: 0,
    timestamp: 1772359920,
  },
};

describe('pushover channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(pushoverChannel.render(pushoverChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(pushoverChannel.render(pushoverChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(pushoverChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(pushoverChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = pushoverChannel.describe(pushoverChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it("requires retry and expire for emergency priority, within Pushover's limits", () => {
    const base = { type: 'pushover', token: 't', user: 'u', priority: { critical: 2 } };
    assert.equal(pushoverChannel.schema.safeParse(base).success, false);
    assert.equal(pushoverChannel.schema.safeParse({ ...base, retry: '10s', expire: '1h' }).success, false);
    assert.equal(pushoverChannel.schema.safeParse({ ...base, retry: '30s', expire: '4h' }).success, false);
    assert.equal(pushoverChannel.schema.safeParse({ ...base, retry: '30s', expire: '3h' }).success, true);
  });

  it('uses priorities critical 1, warning 0, info -1 by default, and never an emergency for a recovery', () => {
    const plain = pushoverChannel.schema.parse({ type: 'pushover', token: 't', user: 'u' });
    assert.equal(pushoverPriority(plain, FIRING), 1);
    assert.equal(pushoverPriority(plain, { ...FIRING, severity: 'warning' }), 0);
    assert.equal(pushoverPriority(plain, { ...FIRING, severity: 'info' }), -1);
    assert.equal(pushoverPriority(pushoverChannel.schema.parse(configAt(BASE)), RESOLVED), 0);
  });
});
