/** Microsoft Teams through a Workflows ("When a Teams webhook request is received") URL: an Adaptive Card message. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertFacts, alertTitle, type Tone, toneOf } from './alert-text.js';
import { hostOf, httpUrl } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('teams'),
  webhook: httpUrl(
    'The workflow URL Teams gives for "Post to a channel when a webhook request is received". Secret: use ${VAR}.',
  ),
});

/** A Teams channel's plan entry. */
export type TeamsConfig = z.output<typeof schema>;

// Adaptive Card text colours: attention (red), warning (amber), accent (blue), good (green), default.
const COLOUR: Record<Tone, string> = {
  critical: 'attention',
  warning: 'warning',
  info: 'accent',
  resolved: 'good',
  test: 'default',
};

/** Sends `{type: message, attachments: [Adaptive Card]}`, the shape Teams workflows post to a channel. */
export const teamsChannel: ChannelKind<TeamsConfig, HttpMessage> = {
  type: 'teams',
  description: 'Posts an Adaptive Card to Microsoft Teams through a workflow webhook.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    return {
      method: 'POST',
      url: config.webhook,
      headers: { 'content-type': 'application/json' },
      json: {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: alertTitle(message),
                  weight: 'Bolder',
                  size: 'Medium',
                  color: COLOUR[toneOf(message)],
                  wrap: true,
                },
                {
                  type: 'FactSet',
                  facts: alertFacts(message).map((f) => ({ title: f.label, value: f.value })),
                },
              ],
              actions: [{ type: 'Action.OpenUrl', title: 'Open in upkeep', url: message.url }],
            },
          },
        ],
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Microsoft Teams', secrets: [config.webhook] });
    return { status: result.status };
  },
  describe(config) {
    return `Microsoft Teams workflow on ${hostOf(config.webhook)}`;
  },
};
