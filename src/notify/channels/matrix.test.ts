import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matrixChannel, matrixTxnId } from './matrix.js';
import { assertFailureMapping, deliver, FIRING, RESOLVED, type Receiver, startReceiver } from './test-support.js';

const BASE = 'https://example.test';
const configAt = (base: string) => ({
  type: 'matrix',
  homeserver: base,
  accessToken: 'syt_matrixsecret',
  roomId: '!ops:example.org',
});
const SECRETS = ['syt_matrixsecret'];

const FIRING_REQUEST = {
  method: 'PUT',
  url: 'https://example.test/_matrix/client/v3/rooms/!ops%3Aexample.org/send/m.room.message/upkeep-4201f747627fc7b1b0225f1163ece932',
  headers: {
    'content-type': 'application/json',
    authorization: 'Bearer syt_matrixsecret',
  },
  json: {
    msgtype: 'm.notice',
    body: '[CRITICAL] shop/api-health is failing\nWhat broke: 2 consecutive failures: HTTP 503 (expected 2xx)\nSince: 2026-03-01 10:00:00 UTC (5m ago)\nLast observation: HTTP 503 in 120ms: <h1>Down & out</h1>\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    format: 'org.matrix.custom.html',
    formatted_body:
      '<p><b>[CRITICAL] shop/api-health is failing</b></p><ul><li><b>What broke:</b> 2 consecutive failures: HTTP 503 (expected 2xx)</li><li><b>Since:</b> 2026-03-01 10:00:00 UTC (5m ago)</li><li><b>Last observation:</b> HTTP 503 in 120ms: &lt;h1&gt;Down &amp; out&lt;/h1&gt;</li><li><b>Target:</b> GET https://shop.example/health</li></ul><p><a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a></p>',
  },
};

const RESOLVED_REQUEST = {
  method: 'PUT',
  url: 'https://example.test/_matrix/client/v3/rooms/!ops%3Aexample.org/send/m.room.message/upkeep-edfaec72b89ea332fb76158ffbc1daed',
  headers: {
    'content-type': 'application/json',
    authorization: 'Bearer syt_matrixsecret',
  },
  json: {
    msgtype: 'm.notice',
    body: '[RESOLVED] shop/api-health is back to normal\nResolved: 1 passing run: HTTP 200\nFailing since: 2026-03-01 10:00:00 UTC (for 12m)\nLast observation: HTTP 200 in 85ms\nTarget: GET https://shop.example/health\nOpen: http://127.0.0.1:8080/units/shop/api-health',
    format: 'org.matrix.custom.html',
    formatted_body:
      '<p><b>[RESOLVED] shop/api-health is back to normal</b></p><ul><li><b>Resolved:</b> 1 passing run: HTTP 200</li><li><b>Failing since:</b> 2026-03-01 10:00:00 UTC (for 12m)</li><li><b>Last observation:</b> HTTP 200 in 85ms</li><li><b>Target:</b> GET https://shop.example/health</li></ul><p><a href="http://127.0.0.1:8080/units/shop/api-health">Open in upkeep</a></p>',
  },
};

describe('matrix channel', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('renders a firing message exactly', () => {
    assert.deepEqual(matrixChannel.render(matrixChannel.schema.parse(configAt(BASE)), FIRING), FIRING_REQUEST);
  });

  it('renders a resolved message exactly', () => {
    assert.deepEqual(matrixChannel.render(matrixChannel.schema.parse(configAt(BASE)), RESOLVED), RESOLVED_REQUEST);
  });

  it('sends the request: method, path, headers and exact body', async () => {
    receiver.requests.length = 0;
    await deliver(matrixChannel, configAt(receiver.base), FIRING);
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
    await assertFailureMapping(matrixChannel, configAt(receiver.base), receiver, SECRETS);
  });

  it('describe() names the destination without secrets', () => {
    const text = matrixChannel.describe(matrixChannel.schema.parse(configAt(BASE)));
    for (const secret of SECRETS) assert.ok(!text.includes(secret), text);
  });

  it('gives a retry of the same message the same transaction id, and another message a new one', () => {
    assert.equal(matrixTxnId(FIRING), matrixTxnId({ ...FIRING }));
    assert.notEqual(matrixTxnId(FIRING), matrixTxnId(RESOLVED));
    assert.notEqual(matrixTxnId(FIRING), matrixTxnId({ ...FIRING, event: 'reminder', at: FIRING.at + 3_600_000 }));
  });

  it('refuses a room alias where a room id is needed', () => {
    const parsed = matrixChannel.schema.safeParse({ ...configAt(BASE), roomId: '#ops:example.org' });
    assert.equal(parsed.success, false);
  });
});
