/** ntfy (ntfy.sh or self-hosted): POST the text to server/topic with Title, Priority, Tags and Click headers. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertBody, alertTitle, type Tone, toneOf } from './alert-text.js';
import { hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z
  .strictObject({
    type: z.literal('ntfy'),
    server: httpUrl('The ntfy server (default https://ntfy.sh; set it for a self-hosted one).').default(
      'https://ntfy.sh',
    ),
    topic: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected a topic name: letters, digits, "_" and "-"' })
      .describe('The topic; on ntfy.sh its name is the password, so make it long and random.'),
    token: secretText('An access token (tk_...) for protected topics.').optional(),
    username: z.string().min(1).optional().describe('User for basic auth (with password) on protected topics.'),
    password: secretText('Password for basic auth.').optional(),
  })
  .refine((c) => (c.username === undefined) === (c.password === undefined), {
    error: 'give both "username" and "password", or neither',
    path: ['password'],
  });

/** An ntfy channel's plan entry. */
export type NtfyConfig = z.output<typeof schema>;

// ntfy priorities: 5 urgent, 4 high, 3 default, 2 low, 1 min.
const PRIORITY: Record<Tone, string> = { critical: '5', warning: '4', info: '3', resolved: '3', test: '2' };
// Tags that match emoji short codes show as emoji on phones.
const TAGS: Record<Tone, string> = {
  critical: 'rotating_light',
  warning: 'warning',
  info: 'information_source',
  resolved: 'white_check_mark',
  test: 'wave',
};

/** Publishes to a topic; the title, priority and tags travel in headers, the facts in the body. */
export const ntfyChannel: ChannelKind<NtfyConfig, HttpMessage> = {
  type: 'ntfy',
  description: 'Publishes to an ntfy topic (ntfy.sh or self-hosted).',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const auth = config.token
      ? `Bearer ${config.token}`
      : config.username !== undefined
        ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
        : undefined;
    return {
      method: 'POST',
      url: joinUrl(config.server, `/${config.topic}`),
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        // alertTitle is ASCII by construction (unit names are), so it is a valid header value.
        title: alertTitle(message),
        priority: PRIORITY[toneOf(message)],
        tags: `${TAGS[toneOf(message)]},upkeep`,
        click: message.url,
        ...(auth ? { authorization: auth } : {}),
      },
      text: alertBody(message),
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'ntfy', secrets: [config.token, config.password] });
    return { status: result.status };
  },
  describe(config) {
    const auth = config.token !== undefined || config.username !== undefined;
    // Without auth the topic name is the only secret (anyone who knows it can read it): show a prefix only.
    const topic = auth ? config.topic : `${config.topic.slice(0, 3)}…`;
    return `ntfy topic ${topic} on ${hostOf(config.server)}${auth ? ' (auth)' : ''}`;
  },
};
