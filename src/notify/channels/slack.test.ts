import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { slackChannel } from './slack.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({ type: 'slack', webhook: `${base}/services/T000/B000/XbQ3vT9kLmN2pR7sW4yZ8aC1` });
const SECRETS = ['XbQ3vT9kLmN2pR7sW4yZ8aC1'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/services/T000/B000/XbQ3vT9kLmN2pR7sW4yZ8aC1',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    text: ':red_circle: [CRITICAL] shop/api-health is failing <http://127.0.0.1:8080/units/shop/api-health|Open in upkeep>',
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*:red_circle: [CRITICAL] shop/api-health is failing*',
        },
      },
      {
        type: 'section',
        fields: [
          {
            type: 'mrkdwn',
            text: '*What broke*\n2 consecutive failures: HTTP 503 (expected 2xx)',
          },
          {
            type: 'mrkdwn',
            text: '*Since*\n2026-03-01 10:00:00 UTC (5m ago)',
          },
          {
            type: 'mrkdwn',
            text: '*Last observation*\nHTTP 503 in 120ms: &lt;h1&gt;Down &amp; out&lt;/h1&gt;',
          },
          {
            type: 'mrkdwn',
            text: '*Target*\nGET https://shop.example/health',
          },
        ],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: {
              type: 'plain_text',
              text: 'Open in upkeep',
            },
            url: 'http://127.0.0.1:8080/units/shop/api-health',
          },
        ],
      },
    ],
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/services/T000/B000/XbQ3vT9kLmN2pR7sW4yZ8aC1',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    text: ':white_check_mark: [RESOLVED] shop/api-health is back to normal <http://127.0.0.1:8080/units/shop/api-health|Open in upkeep>',
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*:white_check_mark: [RESOLVED] shop/api-health is back to normal*',
        },
      },
      {
        type: 'section',
        fields: [
          {
            type: 'mrkdwn',
            text: '*Resolved*\n1 passing run: HTTP 200',
          },
          {
            type: 'mrkdwn',
            text: '*Failing since*\n2026-03-01 10:00:00 UTC (for 12m)',
          },
          {
            type: 'mrkdwn',
            text: '*Last observation*\nHTTP 200 in 85ms',
          },
          {
            type: 'mrkdwn',
            text: '*Target*\nGET https://shop.example/health',
          },
        ],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: {
              type: 'plain_text',
              text: 'Open in upkeep',
            },
            url: 'http://127.0.0.1:8080/units/shop/api-health',
          },
        ],
      },
    ],
  },
};

describe('slack channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(slackChannel.render(slackChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(slackChannel.render(slackChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(slackChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(slackChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = slackChannel.describe(slackChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });
});
