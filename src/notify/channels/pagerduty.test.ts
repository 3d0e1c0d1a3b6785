import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pagerdutyChannel } from './pagerduty.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({ type: 'pagerduty', routingKey: 'pdroutingkey0123', apiUrl: base });
const SECRETS = ['pdroutingkey0123'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/v2/enqueue',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    routing_key: 'pdroutingkey0123',
    event_action: 'trigger',
    dedup_key: 'shop/api-health#41',
    payload: {
      summary: '[CRITICAL] shop/api-health is failing: 2 consecutive failures: HTTP 503 (expected 2xx)',
      source: 'GET https://shop.example/health',
      severity: 'critical',
      timestamp: '2026-03-01T10:05:00.000Z',
      component: 'api-health',
      group: 'shop',
      class: 'firing',
      custom_details: {
        reason: '2 consecutive failures: HTTP 503 (expected 2xx)',
        since: '2026-03-01 10:00:00 UTC',
        last_observation: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
        unit: 'shop/api-health',
      },
    },
    links: [
      {
        href: 'http://127.0.0.1:8080/units/shop/api-health',
        text: 'Open in upkeep',
      },
    ],
    client: 'upkeep',
    client_url: 'http://127.0.0.1:8080/units/shop/api-health',
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/v2/enqueue',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    routing_key: 'pdroutingkey0123',
    event_action: 'resolve',
    dedup_key: 'shop/api-health#41',
  },
};

describe('pagerduty channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(pagerdutyChannel.render(pagerdutyChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(
      pagerdutyChannel.render(pagerdutyChannel.schema.parse(configAt(BASE)), RESOLVED),
      RESOLVED_REQUEST,
    );
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(pagerdutyChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(pagerdutyChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = pagerdutyChannel.describe(pagerdutyChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('resolves with the same dedup key it triggered with', async () => {
    receiver.requests.length = 0;
    await deliver(pagerdutyChannel, configAt(receiver.base), FIRING);
    await deliver(pagerdutyChannel, configAt(receiver.base), RESOLVED);
    const [trigger, resolve] = receiver.requests.map((r) => JSON.parse(r.body));
    assert.equal(trigger.event_action, 'trigger');
    assert.equal(resolve.event_action, 'resolve');
    assert.equal(resolve.dedup_key, trigger.dedup_key);
    assert.equal(receiver.requests[1]?.url, '/v2/enqueue');
  });

  it('triggers reminders again under the same dedup key (PagerDuty folds them into the open incident)', () => {
    const config = pagerdutyChannel.schema.parse(configAt(BASE));
    const reminder = pagerdutyChannel.render(config, { ...FIRING, event: 'reminder' }).json as Record<string, unknown>;
    assert.equal(reminder.event_action, 'trigger');
    assert.equal(reminder.dedup_key, FIRING.dedupKey);
  });
});
