/** Gotify (self-hosted): POST /message with the app token in a header and a priority per severity. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertBody, alertTitle, type Tone, toneOf } from './alert-text.js';
import { hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const priorities = z
  .strictObject({
    critical: z.int().min(0).max(10).optional(),
    warning: z.int().min(0).max(10).optional(),
    info: z.int().min(0).max(10).optional(),
    resolved: z.int().min(0).max(10).optional(),
  })
  .describe('Gotify priority (0-10) per severity; defaults critical 8, warning 5, info 2, resolved 2.');

const schema = z.strictObject({
  type: z.literal('gotify'),
  server: httpUrl('The Gotify server, e.g. https://gotify.example.com.'),
  token: secretText('The application token (A...) Gotify shows under Apps.'),
  priority: priorities.optional(),
});

/** A Gotify channel's plan entry. */
export type GotifyConfig = z.output<typeof schema>;

const DEFAULT_PRIORITY: Record<Tone, number> = { critical: 8, warning: 5, info: 2, resolved: 2, test: 2 };

/** The Gotify priority of a message, honouring the plan's overrides. */
export function gotifyPriority(config: GotifyConfig, message: AlertMessage): number {
  const tone = toneOf(message);
  const override = tone === 'test' ? undefined : config.priority?.[tone];
  return override ?? DEFAULT_PRIORITY[tone];
}

/** Pushes a message to a Gotify application. */
export const gotifyChannel: ChannelKind<GotifyConfig, HttpMessage> = {
  type: 'gotify',
  description: 'Pushes a message to a self-hosted Gotify server.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    return {
      method: 'POST',
      url: joinUrl(config.server, '/message'),
      // The header keeps the token out of URLs, which proxies log.
      headers: { 'content-type': 'application/json', 'x-gotify-key': config.token },
      json: {
        title: alertTitle(message),
        message: alertBody(message),
        priority: gotifyPriority(config, message),
        extras: {
          'client::display': { contentType: 'text/plain' },
          'client::notification': { click: { url: message.url } },
        },
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Gotify', secrets: [config.token] });
    return { status: result.status };
  },
  describe(config) {
    return `Gotify on ${hostOf(config.server)}`;
  },
};
