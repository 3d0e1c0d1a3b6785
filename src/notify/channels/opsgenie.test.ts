import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPSGENIE_REGIONS, opsgenieChannel } from './opsgenie.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({ type: 'opsgenie', apiKey: 'opsgeniekey-0123', apiUrl: base });
const SECRETS = ['opsgeniekey-0123'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/v2/alerts',
  headers: {
    'content-type': 'application/json',
    authorization: 'GenieKey opsgeniekey-0123',
  },
  json: {
    message: '[CRITICAL] shop/api-health is failing',
    alias: 'shop/api-health#41',
    description:
      'What broke: 2 consecutive failures: HTTP 503 (expected 2xx)\nSince: 2026-03-01 10:00:00 UTC (5m ago)\nLast observation: HTTP 503 in 120ms: <h1>Down & out</h1>\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    tags: ['upkeep', 'shop', 'critical'],
    details: {
      unit: 'shop/api-health',
      target: 'GET https://shop.example/health',
      since: '2026-03-01 10:00:00 UTC',
      lastObservation: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
      url: 'http://127.0.0.1:8080/units/shop/api-health',
    },
    entity: 'shop/api-health',
    source: 'upkeep',
    priority: 'P1',
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/v2/alerts/shop%2Fapi-health%2341/close?identifierType=alias',
  headers: {
    'content-type': 'application/json',
    authorization: 'GenieKey opsgeniekey-0123',
  },
  json: {
    source: 'upkeep',
    note: 'Resolved: 1 passing run: HTTP 200',
  },
};

describe('opsgenie channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(opsgenieChannel.render(opsgenieChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(opsgenieChannel.render(opsgenieChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(opsgenieChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(opsgenieChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = opsgenieChannel.describe(opsgenieChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('closes the alert by alias on resolved', async () => {
    receiver.requests.length = 0;
    await deliver(opsgenieChannel, configAt(receiver.base), RESOLVED);
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v2/alerts/shop%2Fapi-health%2341/close?identifierType=alias');
    assert.equal(req.headers.authorization, 'GenieKey opsgeniekey-0123');
  });

  it('uses the US API by default and the EU one for region: eu', () => {
    const us = opsgenieChannel.schema.parse({ type: 'opsgenie', apiKey: 'k' });
    const eu = opsgenieChannel.schema.parse({ type: 'opsgenie', apiKey: 'k', region: 'eu' });
    assert.equal(opsgenieChannel.render(us, FIRING).url, `${OPSGENIE_REGIONS.us}/v2/alerts`);
    assert.equal(opsgenieChannel.render(eu, FIRING).url, 'https://api.eu.opsgenie.com/v2/alerts');
  });
});
