/** Discord webhook: one embed per message, coloured by severity (green when resolved). */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertFacts, alertTitle, type Tone, toneOf, truncate } from './alert-text.js';
import { hostOf, httpUrl } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('discord'),
  webhook: httpUrl('The webhook URL (https://discord.com/api/webhooks/...). Secret: use ${VAR}.'),
  username: z.string().min(1).optional().describe("Override the webhook's display name."),
});

/** A Discord channel's plan entry. */
export type DiscordConfig = z.output<typeof schema>;

/** Embed colours (decimal RGB) per tone. */
export const DISCORD_COLOURS: Record<Tone, number> = {
  critical: 0xe74c3c,
  warning: 0xf39c12,
  info: 0x3498db,
  resolved: 0x2ecc71,
  test: 0x95a5a6,
};

/** Posts an embed with the facts as fields and the title linking to upkeep. */
export const discordChannel: ChannelKind<DiscordConfig, HttpMessage> = {
  type: 'discord',
  description: 'Posts an embed to a Discord channel through a webhook.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    return {
      method: 'POST',
      url: config.webhook,
      headers: { 'content-type': 'application/json' },
      json: {
        ...(config.username ? { username: config.username } : {}),
        // Mentions in alert text (an `@everyone` in a reason) must not ping anyone.
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: truncate(alertTitle(message), 256),
            url: message.url,
            color: DISCORD_COLOURS[toneOf(message)],
            fields: alertFacts(message).map((f) => ({
              name: f.label,
              value: truncate(f.value, 1024),
              inline: false,
            })),
            timestamp: new Date(message.at).toISOString(),
            footer: { text: 'upkeep' },
          },
        ],
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Discord', secrets: [config.webhook] });
    return { status: result.status };
  },
  describe(config) {
    return `Discord webhook on ${hostOf(config.webhook)}`;
  },
};
