import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChannelError } from '../channel.js';
import { type HttpMessage, parseRetryAfter, scrub, secretParts, sendHttp, statusError, wireBody } from './http-send.js';
import { type Receiver, sendContext, startReceiver } from './test-support.js';

describe('sendHttp', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());
  const message = (url: string): HttpMessage => ({ method: 'POST', url, headers: {}, json: { a: 1 } });

  it('resolves with the status and body on 2xx and sends JSON with a user agent', async () => {
    receiver.requests.length = 0;
    receiver.reply = { status: 202, body: '{"status":"success"}' };
    const result = await sendHttp(message(`${receiver.base}/x`), sendContext(), { service: 'Test' });
    assert.deepEqual(result, { status: 202, body: '{"status":"success"}' });
    assert.equal(receiver.requests[0]?.headers['content-type'], 'application/json');
    assert.equal(receiver.requests[0]?.body, '{"a":1}');
    receiver.reply = { status: 200, body: 'ok' };
  });

  it('a refused connection is transient and names the service and origin', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(sendHttp(message(`http://127.0.0.1:${port}/x`), sendContext(), { service: 'Test' }), (e) => {
      assert.ok(e instanceof ChannelError);
      assert.equal(e.permanent, false);
      assert.match(e.message, new RegExp(`could not reach Test at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`));
      return true;
    });
  });

  it('a receiver slower than the deadline is a transient timeout', async () => {
    receiver.reply = { status: 200, body: 'ok', delayMs: 2_000 };
    try {
      await assert.rejects(
        sendHttp(message(`${receiver.base}/slow`), sendContext({ timeoutMs: 200 }), { service: 'Test' }),
        (e) => e instanceof ChannelError && !e.permanent && /timed out/.test(e.message),
      );
    } finally {
      receiver.reply = { status: 200, body: 'ok' };
    }
  });

  it("carries a 429 or 503 answer's Retry-After (seconds or HTTP-date) on the transient error", async () => {
    const now = sendContext().now();
    const cases = [
      { status: 429, header: '120', want: 120_000 },
      { status: 503, header: new Date(now + 90_000).toUTCString(), want: 90_000 },
      { status: 429, header: 'soon', want: undefined },
      { status: 502, header: '120', want: undefined },
    ];
    try {
      for (const { status, header, want } of cases) {
        receiver.reply = { status, body: 'slow down', headers: { 'retry-after': header } };
        await assert.rejects(sendHttp(message(`${receiver.base}/busy`), sendContext(), { service: 'Test' }), (e) => {
          assert.ok(e instanceof ChannelError);
          assert.equal(e.permanent, false);
          assert.equal(e.status, status);
          assert.equal(e.retryAfterMs, want, `${status} Retry-After: ${header}`);
          if (want !== undefined) assert.match(e.message, new RegExp(`asked to wait ${want / 1000}s`));
          return true;
        });
      }
    } finally {
      receiver.reply = { status: 200, body: 'ok' };
    }
  });

  it("without a Retry-After header, reads the wait from Telegram's or Discord's JSON error body", async () => {
    const cases = [
      {
        body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}',
        want: 35_000,
      },
      { body: '{"message":"You are being rate limited.","retry_after":0.25,"global":false}', want: 250 },
      { body: '{"retry_after":"soon"}', want: undefined },
      { body: 'slow down', want: undefined },
    ];
    try {
      for (const { body, want } of cases) {
        receiver.reply = { status: 429, body };
        await assert.rejects(sendHttp(message(`${receiver.base}/busy`), sendContext(), { service: 'Test' }), (e) => {
          assert.ok(e instanceof ChannelError);
          assert.equal(e.retryAfterMs, want, body);
          return true;
        });
      }
    } finally {
      receiver.reply = { status: 200, body: 'ok' };
    }
  });

  it('reads Retry-After as delay-seconds (fractions too) or an HTTP-date; a past date is 0; anything else is ignored', () => {
    const now = Date.UTC(2026, 2, 1, 10, 0, 0);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 30 ', now), 30_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 10:02:00 GMT', now), 120_000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter('1.5', now), 1_500);
    assert.equal(parseRetryAfter('1.', now), undefined);
    assert.equal(parseRetryAfter('3/1/2026', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
  });

  it('an invalid URL is permanent', async () => {
    await assert.rejects(
      sendHttp(message('not a url'), sendContext(), { service: 'Test' }),
      (e) => e instanceof ChannelError && e.permanent,
    );
  });

  it('maps statuses: 408/429/5xx transient; 3xx and other 4xx permanent with what to fix', () => {
    assert.equal(statusError(408, '', 'S').permanent, false);
    assert.equal(statusError(502, '', 'S').permanent, false);
    assert.equal(statusError(410, '', 'S').permanent, true);
    assert.equal(statusError(400, '', 'S').permanent, true);
    assert.equal(statusError(302, '', 'S').permanent, true);
    assert.equal(statusError(401, '', 'S').message, 'S answered HTTP 401; check the token or credentials in the plan');
    assert.equal(statusError(503, ' busy\n now ', 'S').message, 'S answered HTTP 503: busy now; it will be retried');
  });

  it('scrubs secrets, token-like webhook URL parts and header words, but not ordinary words', () => {
    const hook = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx';
    const text = scrub(`posting to services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx with tok-12345678`, [
      hook,
      'Bearer tok-12345678',
    ]);
    assert.equal(text, 'posting to services/***/***/*** with ***');
    assert.ok(!secretParts([hook]).includes('services'));
  });

  it('puts text bodies on the wire as-is and JSON bodies serialised', () => {
    assert.equal(wireBody({ method: 'POST', url: 'x', headers: {}, text: 'hi' }), 'hi');
    assert.equal(wireBody({ method: 'POST', url: 'x', headers: {}, json: { b: [1] } }), '{"b":[1]}');
  });
});
