/** Test helpers for channels: fixed messages, a SendContext, and a real HTTP receiver on 127.0.0.1. */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { type AlertMessage, ChannelError, type ChannelKind, type SendContext } from '../channel.js';

const SINCE = Date.UTC(2026, 2, 1, 10, 0, 0);

/** A critical alert that started firing 5 minutes before it was sent; the summary holds HTML to test escaping. */
export const FIRING: AlertMessage = {
  event: 'firing',
  app: 'shop',
  unitId: 'shop/api-health',
  unitName: 'api-health',
  severity: 'critical',
  since: SINCE,
  at: SINCE + 5 * 60_000,
  reason: '2 consecutive failures: HTTP 503 (expected 2xx)',
  summary: 'HTTP 503 in 120ms: <h1>Down & out</h1>',
  target: 'GET https://shop.example/health',
  url: 'http://127.0.0.1:8080/units/shop/api-health',
  dedupKey: 'shop/api-health#41',
};

/** The same alert resolved 12 minutes after it started. */
export const RESOLVED: AlertMessage = {
  ...FIRING,
  event: 'resolved',
  at: SINCE + 12 * 60_000,
  reason: '1 passing run: HTTP 200',
  summary: 'HTTP 200 in 85ms',
};

/** A SendContext with a silent logger, a 5 s deadline and a fixed clock (2026-03-01 10:05:00 UTC). */
export function sendContext(options: { timeoutMs?: number; now?: number } = {}): SendContext {
  return {
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    logger: pino({ level: 'silent' }),
    now: () => options.now ?? FIRING.at,
  };
}

/** One request a receiver saw. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records requests and answers with `reply` (status 200 `ok` by default). */
export interface Receiver {
  base: string;
  requests: Received[];
  reply: { status: number; body: string; delayMs?: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

/** Starts a Receiver on 127.0.0.1 on a free port. */
export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver = { requests, reply: { status: 200, body: 'ok' } } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const { status, body, delayMs, headers } = receiver.reply;
      const answer = () => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
      };
      if (delayMs) setTimeout(answer, delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** Renders and sends `message` with `kind`, returning what the send resolved with. */
export async function deliver<C, R>(
  kind: ChannelKind<C, R>,
  config: unknown,
  message: AlertMessage,
  ctx = sendContext(),
) {
  const parsed = kind.schema.parse(config);
  return kind.send(parsed, kind.render(parsed, message), ctx);
}

/**
 * Asserts the failure mapping every HTTP channel shares: 401 and 404 are permanent, 503 and 429 transient, and no
 * secret appears in the error message.
 */
export async function assertFailureMapping<C, R>(
  kind: ChannelKind<C, R>,
  config: unknown,
  receiver: Receiver,
  secrets: readonly string[],
): Promise<void> {
  for (const [status, permanent] of [
    [401, true],
    [404, true],
    [503, false],
    [429, false],
  ] as const) {
    // Services sometimes echo the request (URL, token) in errors: that echo must be scrubbed.
    receiver.reply = { status, body: `error ${status} for ${secrets.join(' ')}` };
    await assert.rejects(deliver(kind, config, FIRING), (error: unknown) => {
      assert.ok(error instanceof ChannelError, `expected a ChannelError, got ${error}`);
      assert.equal(error.permanent, permanent, `${status} should be ${permanent ? 'permanent' : 'transient'}`);
      assert.equal(error.status, status);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
      for (const secret of secrets)
        assert.ok(!error.message.includes(secret), `error leaks a secret: ${error.message}`);
      return true;
    });
  }
  receiver.reply = { status: 200, body: 'ok' };
}
