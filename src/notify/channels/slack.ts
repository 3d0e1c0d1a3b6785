/** Slack incoming webhook: Block Kit blocks plus a plain `text` fallback for notifications and old clients. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertFacts, alertTitle, type Tone, toneOf, truncate } from './alert-text.js';
import { hostOf, httpUrl } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('slack'),
  webhook: httpUrl('The incoming webhook URL (https://hooks.slack.com/services/...). Secret: use ${VAR}.'),
  channel: z.string().min(1).optional().describe("Override the webhook's channel (legacy webhooks only)."),
  username: z.string().min(1).optional().describe('Override the sender name (legacy webhooks only).'),
});

/** A Slack channel's plan entry. */
export type SlackConfig = z.output<typeof schema>;

const EMOJI: Record<Tone, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':white_check_mark:',
  test: ':wave:',
};

/** Slack mrkdwn treats &, < and > as control characters: escape them in everything we did not write. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Posts a header, the facts as fields and a link button to a Slack incoming webhook. */
export const slackChannel: ChannelKind<SlackConfig, HttpMessage> = {
  type: 'slack',
  description: 'Posts to a Slack channel through an incoming webhook.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const title = alertTitle(message);
    const facts = alertFacts(message);
    const text = `${EMOJI[toneOf(message)]} ${escapeSlack(title)}`;
    return {
      method: 'POST',
      url: config.webhook,
      headers: { 'content-type': 'application/json' },
      json: {
        ...(config.channel ? { channel: config.channel } : {}),
        ...(config.username ? { username: config.username } : {}),
        // The fallback is what notifications and screen readers show.
        text: `${text} <${message.url}|Open in upkeep>`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
          {
            type: 'section',
            // Slack allows at most 10 fields of 2,000 characters each.
            fields: facts.map((f) => ({
              type: 'mrkdwn',
              text: truncate(`*${f.label}*\n${escapeSlack(f.value)}`, 2000),
            })),
          },
          {
            type: 'actions',
            elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in upkeep' }, url: message.url }],
          },
        ],
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Slack', secrets: [config.webhook] });
    return { status: result.status };
  },
  describe(config) {
    return `Slack webhook on ${hostOf(config.webhook)}${config.channel ? ` to ${config.channel}` : ''}`;
  },
};
