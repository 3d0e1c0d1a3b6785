/** Telegram Bot API sendMessage: HTML parse mode with everything we did not write escaped. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertFacts, alertTitle, escapeHtml, truncate } from './alert-text.js';
import { httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('telegram'),
  botToken: secretText('The bot token from @BotFather (123456:ABC...).'),
  chatId: z
    .union([z.string().min(1), z.int()])
    .describe('The chat, group or channel id (-100... for channels) or @channelname.'),
  threadId: z.int().optional().describe('A forum topic id in the group.'),
  apiUrl: httpUrl('The Bot API server (default https://api.telegram.org; set for a local Bot API server).').default(
    'https://api.telegram.org',
  ),
});

/** A Telegram channel's plan entry. */
export type TelegramConfig = z.output<typeof schema>;

/** Sends an HTML message to a chat through a bot. */
export const telegramChannel: ChannelKind<TelegramConfig, HttpMessage> = {
  type: 'telegram',
  description: 'Sends a message to a Telegram chat through a bot.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const facts = alertFacts(message).map((f) => `<b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}`);
    const link = `<a href="${escapeHtml(message.url)}">Open in upkeep</a>`;
    const text = [`<b>${escapeHtml(alertTitle(message))}</b>`, ...facts, link].join('\n');
    return {
      method: 'POST',
      url: joinUrl(config.apiUrl, `/bot${config.botToken}/sendMessage`),
      headers: { 'content-type': 'application/json' },
      json: {
        chat_id: config.chatId,
        ...(config.threadId !== undefined ? { message_thread_id: config.threadId } : {}),
        // Telegram refuses messages over 4,096 characters; reasons are short, this is a guard.
        text: truncate(text, 4096),
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    };
  },
  async send(config, rendered, ctx) {
    // The token is part of the URL path: it must never appear in an error.
    const result = await sendHttp(rendered, ctx, { service: 'Telegram', secrets: [config.botToken] });
    return { status: result.status };
  },
  describe(config) {
    return `Telegram chat ${config.chatId}`;
  },
};
