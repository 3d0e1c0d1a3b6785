import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DISCORD_COLOURS, discordChannel } from './discord.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'discord',
  webhook: `${base}/api/webhooks/1234/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3k`,
});
const SECRETS = ['aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3k'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/api/webhooks/1234/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3k',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    allowed_mentions: {
      parse: [],
    },
    embeds: [
      {
        title: '[CRITICAL] shop/api-health is failing',
        url: 'http://127.0.0.1:8080/units/shop/api-health',
        color: 15158332,
        fields: [
          {
            name: 'What broke',
            value: '2 consecutive failures: HTTP 503 (expected 2xx)',
            inline: false,
          },
          {
            name: 'Since',
            value: '2026-03-01 10:00:00 UTC (5m ago)',
            inline: false,
          },
          {
            name: 'Last observation',
            value: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
            inline: false,
          },
          {
            name: 'Target',
            value: 'GET https://shop.example/health',
            inline: false,
          },
        ],
        timestamp: '2026-03-01T10:05:00.000Z',
        footer: {
          text: 'upkeep',
        },
      },
    ],
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/api/webhooks/1234/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3k',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    allowed_mentions: {
      parse: [],
    },
    embeds: [
      {
        title: '[RESOLVED] shop/api-health is back to normal',
        url: 'http://127.0.0.1:8080/units/shop/api-health',
        color: 3066993,
        fields: [
          {
            name: 'Resolved',
            value: '1 passing run: HTTP 200',
            inline: false,
          },
          {
            name: 'Failing since',
            value: '2026-03-01 10:00:00 UTC (for 12m)',
            inline: false,
          },
          {
            name: 'Last observation',
            value: 'HTTP 200 in 85ms',
            inline: false,
          },
          {
            name: 'Target',
            value: 'GET https://shop.example/health',
            inline: false,
          },
        ],
        timestamp: '2026-03-01T10:12:00.000Z',
        footer: {
          text: 'upkeep',
        },
      },
    ],
  },
};

describe('discord channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(discordChannel.render(discordChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(discordChannel.render(discordChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(discordChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(discordChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = discordChannel.describe(discordChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('colours the embed by severity', () => {
    const config = discordChannel.schema.parse(configAt(BASE));
    const colour = (severity: 'critical' | 'warning' | 'info') => {
      const json = discordChannel.render(config, { ...FIRING, severity }).json as { embeds: { color: number }[] };
      return json.embeds[0]?.color;
    };
    assert.deepEqual(
      [colour('critical'), colour('warning'), colour('info')],
      [DISCORD_COLOURS.critical, DISCORD_COLOURS.warning, DISCORD_COLOURS.info],
    );
    assert.equal(new Set([colour('critical'), colour('warning'), colour('info')]).size, 3);
  });
});
