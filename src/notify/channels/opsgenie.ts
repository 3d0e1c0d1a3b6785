/** Opsgenie Alert API: create with alias = dedupKey, close by alias on resolved; US or EU base URL. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertBody, alertTitle, formatTime, truncate } from './alert-text.js';
import { hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

/** The Opsgenie API base per region. */
export const OPSGENIE_REGIONS = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

const schema = z.strictObject({
  type: z.literal('opsgenie'),
  apiKey: secretText('The API key of an API integration (sent as "Authorization: GenieKey <key>").'),
  region: z.enum(['us', 'eu']).default('us').describe('us (api.opsgenie.com) or eu (api.eu.opsgenie.com).'),
  apiUrl: httpUrl("Overrides the region's API base URL.").optional(),
  responders: z
    .array(
      z.strictObject({
        type: z.enum(['team', 'user', 'escalation', 'schedule']),
        name: z.string().min(1).optional(),
        username: z.string().min(1).optional(),
        id: z.string().min(1).optional(),
      }),
    )
    .optional()
    .describe('Who is notified, e.g. [{ type: team, name: ops }].'),
  tags: z.array(z.string().min(1)).optional().describe('Extra tags on every alert.'),
});

/** An Opsgenie channel's plan entry. */
export type OpsgenieConfig = z.output<typeof schema>;

const PRIORITY = { critical: 'P1', warning: 'P3', info: 'P5' } as const;

/** Creates an Opsgenie alert (deduplicated by alias) or closes it. */
export const opsgenieChannel: ChannelKind<OpsgenieConfig, HttpMessage> = {
  type: 'opsgenie',
  description: 'Creates and closes Opsgenie alerts (US or EU).',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const base = config.apiUrl ?? OPSGENIE_REGIONS[config.region];
    const headers = { 'content-type': 'application/json', authorization: `GenieKey ${config.apiKey}` };
    if (message.event === 'resolved') {
      return {
        method: 'POST',
        url: joinUrl(base, `/v2/alerts/${encodeURIComponent(message.dedupKey)}/close?identifierType=alias`),
        headers,
        json: { source: 'upkeep', note: truncate(`Resolved: ${message.reason}`, 25000) },
      };
    }
    return {
      method: 'POST',
      url: joinUrl(base, '/v2/alerts'),
      headers,
      json: {
        // Opsgenie limits: message 130, alias 512, description 15,000 characters.
        message: truncate(alertTitle(message), 130),
        alias: truncate(message.dedupKey, 512),
        description: truncate(alertBody(message), 15000),
        ...(config.responders ? { responders: config.responders } : {}),
        tags: ['upkeep', message.app, message.severity ?? 'info', ...(config.tags ?? [])],
        details: {
          unit: message.unitId,
          target: message.target,
          since: formatTime(message.since),
          lastObservation: message.summary,
          url: message.url,
        },
        entity: message.unitId,
        source: 'upkeep',
        priority: PRIORITY[message.severity ?? 'info'],
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'Opsgenie', secrets: [config.apiKey] });
    return { status: result.status };
  },
  describe(config) {
    return `Opsgenie on ${hostOf(config.apiUrl ?? OPSGENIE_REGIONS[config.region])}`;
  },
};
