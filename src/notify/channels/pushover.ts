/** Pushover: POST /1/messages.json with token + user; priority per severity; emergency (2) needs retry and expire. */
import { z } from 'zod';
import { parseDuration } from '../../plan/duration.js';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertBody, alertTitle, type Tone, toneOf, truncate } from './alert-text.js';
import { durationText, hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const level = z.int().min(-2).max(2);

const schema = z
  .strictObject({
    type: z.literal('pushover'),
    token: secretText('The application API token.'),
    user: secretText('The user or group key.'),
    device: z.string().min(1).optional().describe('Send to this device only.'),
    sound: z.string().min(1).optional().describe('A Pushover sound name.'),
    priority: z
      .strictObject({ critical: level.optional(), warning: level.optional(), info: level.optional() })
      .optional()
      .describe('Pushover priority (-2..2) per severity; defaults critical 1, warning 0, info -1. 2 = emergency.'),
    retry: durationText('Emergency: how often Pushover repeats until acknowledged (at least 30s).').optional(),
    expire: durationText('Emergency: when Pushover stops repeating (at most 3h).').optional(),
    apiUrl: httpUrl('The API base (default https://api.pushover.net).').default('https://api.pushover.net'),
  })
  .superRefine((c, ctx) => {
    const emergency = Object.values(c.priority ?? {}).includes(2);
    if (emergency && (c.retry === undefined || c.expire === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.retry === undefined ? 'retry' : 'expire'],
        message: 'priority 2 (emergency) needs "retry" and "expire"',
        params: { expected: 'retry: 60s and expire: 1h, for example' },
      });
    }
    const retry = c.retry === undefined ? undefined : parseDuration(c.retry);
    const expire = c.expire === undefined ? undefined : parseDuration(c.expire);
    if (retry !== undefined && retry < 30_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry'],
        message: 'Pushover repeats at most every 30s',
        params: { expected: '30s or more' },
      });
    }
    if (expire !== undefined && expire > 10_800_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['expire'],
        message: 'Pushover stops repeating after 3h at most',
        params: { expected: '3h or less' },
      });
    }
  });

/** A Pushover channel's plan entry. */
export type PushoverConfig = z.output<typeof schema>;

const DEFAULT_PRIORITY: Record<Tone, number> = { critical: 1, warning: 0, info: -1, resolved: 0, test: 0 };

/** The Pushover priority of a message; resolved and test messages are never emergencies. */
export function pushoverPriority(config: PushoverConfig, message: AlertMessage): number {
  const tone = toneOf(message);
  if (tone === 'resolved' || tone === 'test') return DEFAULT_PRIORITY[tone];
  return config.priority?.[tone] ?? DEFAULT_PRIORITY[tone];
}

/** Sends a push notification through Pushover. */
export const pushoverChannel: ChannelKind<PushoverConfig, HttpMessage> = {
  type: 'pushover',
  description: 'Sends a push notification through Pushover.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const priority = pushoverPriority(config, message);
    const emergency =
      priority === 2
        ? {
            retry: Math.round((parseDuration(config.retry ?? '60s') as number) / 1000),
            expire: Math.round((parseDuration(config.expire ?? '1h') as number) / 1000),
          }
        : {};
    return {
      method: 'POST',
      url: joinUrl(config.apiUrl, '/1/messages.json'),
      headers: { 'content-type': 'application/json' },
      json: {
        token: config.token,
        user: config.user,
        // Pushover limits: title 250, message 1,024 characters.
        title: truncate(alertTitle(message), 250),
        message: truncate(alertBody(message), 1024),
        url: message.url,
        url_title: 'Open in upkeep',
        priority,
        timestamp: Math.floor(message.at / 1000),
        ...emergency,
        ...(config.device ? { device: config.device } : {}),
        ...(config.sound ? { sound: config.sound } : {}),
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Pushover', secrets: [config.token, config.user] });
    return { status: result.status };
  },
  describe(config) {
    return `Pushover via ${hostOf(config.apiUrl)}${config.device ? ` to device ${config.device}` : ''}`;
  },
};
