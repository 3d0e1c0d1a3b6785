/** Read-only API of notifications: what was queued, every delivery attempt, and each channel's state. */
import type { FastifyInstance } from 'fastify';
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

const STATUSES = new Set(['pending', 'sending', 'sent', 'failed', 'suppressed']);

/** Registers /api/notifications, /api/deliveries and /api/channels. */
export function registerNotifyRoutes(app: FastifyInstance, deps: NotifyRouteDeps): void {
  const { store } = deps.notifier;

  app.get<{ Querystring: { limit?: string; status?: string; channel?: string; unit?: string; before?: string } }>(
    '/api/notifications',
    { config: { access: 'viewer' } },
    async (req, reply) => {
      const { status, channel, unit } = req.query;
      if (status !== undefined && !STATUSES.has(status)) {
        return reply.code(400).send({ error: `status must be one of ${[...STATUSES].join(', ')}` });
      }
      return store.listOutbox({
        limit: clampInt(req.query.limit, 100),
        status: status as Parameters<NotifyStore['listOutbox']>[0]['status'],
        channel,
        unitId: unit,
        before: req.query.before === undefined ? undefined : Number(req.query.before),
      });
    },
  );

  app.get<{ Querystring: { limit?: string; notification?: string; channel?: string } }>(
    '/api/deliveries',
    { config: { access: 'viewer' } },
    async (req) =>
      store.listDeliveries({
        limit: clampInt(req.query.limit, 100),
        outboxId: req.query.notification === undefined ? undefined : Number(req.query.notification),
        channel: req.query.channel,
      }),
  );

  app.get('/api/channels', { config: { access: 'viewer' } }, async () => store.listChannelStates());
}

function clampInt(text: string | undefined, fallback: number): number {
  const n = text === undefined ? fallback : Number.parseInt(text, 10);
  return Number.isFinite(n) ? Math.min(1000, Math.max(1, n)) : fallback;
}
