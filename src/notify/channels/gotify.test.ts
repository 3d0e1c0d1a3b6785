import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gotifyChannel, gotifyPriority } from './gotify.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({ type: 'gotify', server: base, token: 'Agotifysecret' });
const SECRETS = ['Agotifysecret'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/message',
  headers: {
    'content-type': 'application/json',
    'x-gotify-key': 'Agotifysecret',
  },
  json: {
    title: '[CRITICAL] shop/api-health is failing',
    message:
      'What broke: 2 consecutive failures: HTTP 503 (expected 2xx)\nSince: 2026-03-01 10:00:00 UTC (5m ago)\nLast observation: HTTP 503 in 120ms: <h1>Down & out</h1>\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    priority: 8,
    extras: {
      'client::display': {
        contentType: 'text/plain',
      },
      'client::notification': {
        click: {
          url: 'http://127.0.0.1:8080/units/shop/api-health',
        },
      },
    },
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/message',
  headers: {
    'content-type': 'application/json',
    'x-gotify-key': 'Agotifysecret',
  },
  json: {
    title: '[RESOLVED] shop/api-health is back to normal',
    message:
      'Resolved: 1 passing run: HTTP 200\nFailing since: 2026-03-01 10:00:00 UTC (for 12m)\nLast observation: HTTP 200 in 85ms\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    priority: 2,
    extras: {
      'client::display': {
        contentType: 'text/plain',
      },
      'client::notification': {
        click: {
          url: 'http://127.0.0.1:8080/units/shop/api-health',
        },
      },
    },
  },
};

describe('gotify channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(gotifyChannel.render(gotifyChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(gotifyChannel.render(gotifyChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(gotifyChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(gotifyChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = gotifyChannel.describe(gotifyChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('takes priorities from the plan when given', () => {
    const config = gotifyChannel.schema.parse({ ...configAt(BASE), priority: { critical: 10, resolved: 1 } });
    assert.equal(gotifyPriority(config, FIRING), 10);
    assert.equal(gotifyPriority(config, RESOLVED), 1);
    assert.equal(gotifyPriority(config, { ...FIRING, severity: 'warning' }), 5);
  });
});
