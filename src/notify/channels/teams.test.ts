import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { teamsChannel } from './teams.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'teams',
  webhook: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe`,
});
const SECRETS = ['Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/workflows/abc/triggers/manual/paths/invoke?sig=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: '[CRITICAL] shop/api-health is failing',
              weight: 'Bolder',
              size: 'Medium',
              color: 'attention',
              wrap: true,
            },
            {
              type: 'FactSet',
              facts: [
                {
                  title: 'What broke',
                  value: '2 consecutive failures: HTTP 503 (expected 2xx)',
                },
                {
                  title: 'Since',
                  value: '2026-03-01 10:00:00 UTC (5m ago)',
                },
                {
                  title: 'Last observation',
                  value: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
                },
                {
                  title: 'Target',
                  value: 'GET https://shop.example/health',
                },
              ],
            },
          ],
          actions: [
            {
              type: 'Action.OpenUrl',
              title: 'Open in upkeep',
              url: 'http://127.0.0.1:8080/units/shop/api-health',
            },
          ],
        },
      },
    ],
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/workflows/abc/triggers/manual/paths/invoke?sig=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: '[RESOLVED] shop/api-health is back to normal',
              weight: 'Bolder',
              size: 'Medium',
              color: 'good',
              wrap: true,
            },
            {
              type: 'FactSet',
              facts: [
                {
                  title: 'Resolved',
                  value: '1 passing run: HTTP 200',
                },
                {
                  title: 'Failing since',
                  value: '2026-03-01 10:00:00 UTC (for 12m)',
                },
                {
                  title: 'Last observation',
                  value: 'HTTP 200 in 85ms',
                },
                {
                  title: 'Target',
                  value: 'GET https://shop.example/health',
                },
              ],
            },
          ],
          actions: [
            {
              type: 'Action.OpenUrl',
              title: 'Open in upkeep',
              url: 'http://127.0.0.1:8080/units/shop/api-health',
            },
          ],
        },
      },
    ],
  },
};

describe('teams channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(teamsChannel.render(teamsChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(teamsChannel.render(teamsChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(teamsChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(teamsChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = teamsChannel.describe(teamsChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });
});
