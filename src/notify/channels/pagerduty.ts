/** PagerDuty Events API v2: trigger on firing/reminder/test, resolve on resolved, both with dedup_key = message.dedupKey. */
import { z } from 'zod';
import type { AlertMessage, ChannelKind } from '../channel.js';
import { alertTitle, formatTime, truncate } from './alert-text.js';
import { hostOf, httpUrl, joinUrl, secretText } from './config-fields.js';
import { type HttpMessage, sendHttp } from './http-send.js';

const schema = z.strictObject({
  type: z.literal('pagerduty'),
  routingKey: secretText('The integration key of an Events API v2 integration on a service.'),
  apiUrl: httpUrl(
    'The Events API base (default https://events.pagerduty.com; EU: https://events.eu.pagerduty.com).',
  ).default('https://events.pagerduty.com'),
});

/** A PagerDuty channel's plan entry. */
export type PagerDutyConfig = z.output<typeof schema>;

/** Triggers or resolves a PagerDuty alert; reminders re-trigger the same dedup key, which PagerDuty folds in. */
export const pagerdutyChannel: ChannelKind<PagerDutyConfig, HttpMessage> = {
  type: 'pagerduty',
  description: 'Triggers and resolves PagerDuty incidents through the Events API v2.',
  schema,
  render(config, message: AlertMessage): HttpMessage {
    const url = joinUrl(config.apiUrl, '/v2/enqueue');
    const headers = { 'content-type': 'application/json' };
    if (message.event === 'resolved') {
      return {
        method: 'POST',
        url,
        headers,
        json: { routing_key: config.routingKey, event_action: 'resolve', dedup_key: message.dedupKey },
      };
    }
    return {
      method: 'POST',
      url,
      headers,
      json: {
        routing_key: config.routingKey,
        event_action: 'trigger',
        dedup_key: message.dedupKey,
        payload: {
          summary: truncate(`${alertTitle(message)}: ${message.reason}`, 1024),
          source: message.target,
          severity: message.severity ?? 'info',
          timestamp: new Date(message.at).toISOString(),
          component: message.unitName,
          group: message.app,
          class: message.event,
          custom_details: {
            reason: message.reason,
            since: formatTime(message.since),
            last_observation: message.summary,
            unit: message.unitId,
          },
        },
        links: [{ href: message.url, text: 'Open in upkeep' }],
        client: 'upkeep',
        client_url: message.url,
      },
    };
  },
  async send(config, rendered, ctx) {
    const result = await sendHttp(rendered, ctx, { service: 'PagerDuty', secrets: [config.routingKey] });
    return { status: result.status };
  },
  describe(config) {
    return `PagerDuty Events v2 on ${hostOf(config.apiUrl)}`;
  },
};
