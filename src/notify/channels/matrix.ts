/** Matrix client-server API: PUT m.room.message with a transaction id derived from the message, so a retry is a no-op. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertFacts, alertText, alertTitle, escapeHtml } from './alert-text.js';
import { hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('matrix'),
  homeserver: httpUrl("The homeserver's client API base, e.g. https://matrix.example.org."),
  accessToken: secretText('An access token of the bot account (it must have joined the room).'),
  roomId: z
    .string()
    .regex(/^!.+:.+$/, { message: 'expected a room id such as !abc123:example.org (not an #alias)' })
    .describe('The room id (!abc123:example.org): Room settings → Advanced.'),
});

/** A Matrix channel's plan entry. */
export type MatrixConfig = z.output<typeof schema>;

/**
 * The transaction id: the same message always gets the same id, so the homeserver drops a retried send that
 * already went through (its idempotency rule for PUT /send).
 */
export function matrixTxnId(message: AlertMessage): string {
  const digest = createHash('sha256').update(`${message.dedupKey}\n${message.event}\n${message.at}`).digest('hex');
  return `upkeep-${digest.slice(0, 32)}`;
}

/** Posts an m.notice (bots use notices so other bots do not answer) with plain and HTML bodies. */
export const matrixChannel: ChannelKind<MatrixConfig, HttpMessage> = {
  type: 'matrix',
  description: 'Posts a notice to a Matrix room.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(config.roomId)}/send/m.room.message/${matrixTxnId(message)}`;
    const facts = alertFacts(message).map((f) => `<li><b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}</li>`);
    return {
      method: 'PUT',
      url: joinUrl(config.homeserver, path),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.accessToken}` },
      json: {
        msgtype: 'm.notice',
        body: alertText(message),
        format: 'org.matrix.custom.html',
        formatted_body: `<p><b>${escapeHtml(alertTitle(message))}</b></p><ul>${facts.join('')}</ul><p><a href="${escapeHtml(message.url)}">Open in upkeep</a></p>`,
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Matrix', secrets: [config.accessToken] });
    return { status: result.status };
  },
  describe(config) {
    return `Matrix room ${config.roomId} on ${hostOf(config.homeserver)}`;
  },
};
