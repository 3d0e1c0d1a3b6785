/** Generic webhook: the AlertMessage as JSON, signed with HMAC-SHA256 over `${timestamp}.${body}` when a secret is set. */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { hostOf, httpUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp, wireBody } from './http-send.js';

/** The webhook body format version; bump when fields change meaning. */
export const WEBHOOK_VERSION = 1;

const schema = z.strictObject({
  type: z.literal('webhook'),
  url: httpUrl('Where to POST the JSON.'),
  secret: secretText('Signs each request: X-Upkeep-Signature: sha256=HMAC(secret, "<timestamp>.<body>").').optional(),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'expected an HTTP header name' }), z.string())
    .optional()
    .describe('Extra request headers, e.g. Authorization.'),
});

/** A webhook channel's plan entry. */
export type WebhookConfig = z.output<typeof schema>;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): receivers recompute it and compare. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Sends the AlertMessage with `version` to any URL. */
export const webhookChannel: ChannelKind<WebhookConfig, HttpMessage> = {
  type: 'webhook',
  description: 'POSTs the alert as JSON to a URL, optionally signed with HMAC-SHA256.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    return {
      method: 'POST',
      url: config.url,
      headers: { 'content-type': 'application/json', 'x-upkeep-event': message.event, ...config.headers },
      json: { version: WEBHOOK_VERSION, ...message },
    };
  },
  async send(config, rendered, ctx) {
    // Signed at send time, not render time: the timestamp lets receivers refuse replays of old requests.
    const timestamp = Math.floor(ctx.now() / 1000);
    const extraHeaders: Record<string, string> = config.secret
      ? {
          'x-upkeep-timestamp': String(timestamp),
          'x-upkeep-signature': signWebhook(config.secret, timestamp, wireBody(rendered)),
        }
      : {};
    const secrets = [config.secret, ...Object.values(config.headers ?? {})];
    const result = await sendHttp(rendered, ctx, { service: 'the webhook', secrets, extraHeaders });
    return { status: result.status };
  },
  describe(config) {
    return `webhook to ${hostOf(config.url)}${config.secret ? ' (signed)' : ''}`;
  },
};
