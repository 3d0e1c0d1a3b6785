import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ntfyChannel } from './ntfy.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({ type: 'ntfy', server: base, topic: 'shop-alerts', token: 'tk_ntfysecret' });
const SECRETS = ['tk_ntfysecret'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/shop-alerts',
  headers: {
    'content-type': 'text/plain; charset=utf-8',
    title: '[CRITICAL] shop/api-health is failing',
    priority: '5',
    tags: 'rotating_light,upkeep',
    click: 'http://127.0.0.1:8080/units/shop/api-health',
    authorization: 'Bearer tk_ntfysecret',
  },
  text: 'What broke: 2 consecutive failures: HTTP 503 (expected 2xx)\nSince: 2026-03-01 10:00:00 UTC (5m ago)\nLast observation: HTTP 503 in 120ms: <h1>Down & out</h1>\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/shop-alerts',
  headers: {
    'content-type': 'text/plain; charset=utf-8',
    title: '[RESOLVED] shop/api-health is back to normal',
    priority: '3',
    tags: 'white_check_mark,upkeep',
    click: 'http://127.0.0.1:8080/units/shop/api-health',
    authorization: 'Bearer tk_ntfysecret',
  },
  text: 'Resolved: 1 passing run: HTTP 200\nFailing since: 2026-03-01 10:00:00 UTC (for 12m)\nLast observation: HTTP 200 in 85ms\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
};

describe('ntfy channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(ntfyChannel.render(ntfyChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(ntfyChannel.render(ntfyChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(ntfyChannel, configAt(receiver.base), FIRING);
    const [req] = receiver.requests;
    assert.ok(req);
    const url = new URL(FIRING_REQUEST.url);
    assert.equal(req.method, FIRING_REQUEST.method);
    assert.equal(req.url, url.pathname + url.search);
    for (const [key, value] of Object.entries(FIRING_REQUEST.headers)) assert.equal(req.headers[key], value);
    assert.match(String(req.headers['user-agent']), /^upkeep\//);
    assert.equal(req.body, FIRING_REQUEST.text);
  });

  it('maps 401 and 404 to permanent errors, 503 and 429 to transient ones, without leaking secrets', async () => {
    await assertFailureMapping(ntfyChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = ntfyChannel.describe(ntfyChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('uses basic auth with username and password, and requires both', () => {
    const config = ntfyChannel.schema.parse({ type: 'ntfy', topic: 't1', username: 'bot', password: 'pw' });
    assert.equal(
      ntfyChannel.render(config, FIRING).headers.authorization,
      `Basic ${Buffer.from('bot:pw').toString('base64')}`,
    );
    assert.equal(ntfyChannel.render(config, FIRING).url, 'https://ntfy.sh/t1');
    assert.equal(ntfyChannel.schema.safeParse({ type: 'ntfy', topic: 't1', username: 'bot' }).success, false);
  });

  it('hides most of an unauthenticated topic name in describe(): on ntfy.sh the name is the password', () => {
    const config = ntfyChannel.schema.parse({ type: 'ntfy', topic: 'secret-topic-name' });
    assert.equal(ntfyChannel.describe(config), 'ntfy topic sec… on ntfy.sh');
  });
});
