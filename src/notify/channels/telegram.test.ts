import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { telegramChannel } from './telegram.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'telegram',
  botToken: '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
  chatId: -1001234,
  apiUrl: base,
});
const SECRETS = ['123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'];

const FIRING_REQUEST = {
  method: 'POST',
  url: 'https://example.test/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    chat_id: -1001234,
    text: '<b>[CRITICAL] shop/api-health is failing</b>\n<b>What broke:</b> 2 consecutive failures: HTTP 503 (expected 2xx)\n<b>Since:</b> 2026-03-01 10:00:00 UTC (5m ago)\n<b>Last observation:</b> HTTP 503 in 120ms: &lt;h1&gt;Down &amp; out&lt;/h1&gt;\n<b>Target:</b> GET https://shop.example/health\n<a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a>',
    parse_mode: 'HTML',
    link_preview_options: {
      is_disabled: true,
    },
  },
};

const RESOLVED_REQUEST = {
  method: 'POST',
  url: 'https://example.test/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
  headers: {
    'content-type': 'application/json',
  },
  json: {
    chat_id: -1001234,
    text: '<b>[RESOLVED] shop/api-health is back to normal</b>\n<b>Resolved:</b> 1 passing run: HTTP 200\n<b>Failing since:</b> 2026-03-01 10:00:00 UTC (for 12m)\n<b>Last observation:</b> HTTP 200 in 85ms\n<b>Target:</b> GET https://shop.example/health\n<a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a>',
    parse_mode: 'HTML',
    link_preview_options: {
      is_disabled: true,
    },
  },
};

describe('telegram channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(telegramChannel.render(telegramChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(telegramChannel.render(telegramChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(telegramChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(telegramChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = telegramChannel.describe(telegramChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });
});
