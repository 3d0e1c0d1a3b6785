/** Read-only API of notifications: what was queued, every delivery attempt, and each channel's state. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { limitQuery } from '../web/api-params.js';
import type { RouteModule } from '../web/route-module.js';
import type { NotifierStatus } from './notifier.js';
import type { NotifyStore } from './notify-store.js';

export interface NotifyRouteDeps {
  notifier: { status(): NotifierStatus; store: NotifyStore };
}

/** The notifications API when the notifier is wired. */
export const notifyRoutes: RouteModule<Partial<NotifyRouteDeps>> = {
  name: 'notify',
  register: (app, deps) => {
    if (deps.notifier) registerNotifyRoutes(app, { notifier: deps.notifier });
  },
};

const STATUSES = ['pending', 'sending', 'sent', 'failed', 'suppressed'] as const;

/** Registers /api/notifications, /api/deliveries and /api/channels. */
export function registerNotifyRoutes(root: FastifyInstance, deps: NotifyRouteDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = deps.notifier;
  const viewer = { access: 'viewer' as const };
  const tags = ['notifications'];

  app.get(
    '/api/notifications',
    {
      config: viewer,
      schema: {
        tags,
        summary: 'Queued and sent notifications, newest first',
        querystring: z.object({
          limit: limitQuery(100),
          status: z.enum(STATUSES).optional(),
          channel: z.string().max(200).optional(),
          unit: z.string().max(400).optional(),
          before: z.coerce.number().int().optional().describe('an outbox id: rows older than it'),
        }),
      },
    },
    async (req) => {
      const { status, channel, unit, limit, before } = req.query;
      return store.listOutbox({ limit, status, channel, unitId: unit, before });
    },
  );

  app.get(
    '/api/deliveries',
    {
      config: viewer,
      schema: {
        tags,
        summary: 'Delivery attempts, newest first',
        querystring: z.object({
          limit: limitQuery(100),
          notification: z.coerce.number().int().optional().describe('an outbox id'),
          channel: z.string().max(200).optional(),
        }),
      },
    },
    async (req) =>
      store.listDeliveries({ limit: req.query.limit, outboxId: req.query.notification, channel: req.query.channel }),
  );

  app.get('/api/channels', { config: viewer, schema: { tags, summary: "Each channel's state" } }, async () =>
    store.listChannelStates(),
  );
}
