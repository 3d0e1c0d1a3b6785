/**
 * A heartbeat unit's ping log at `/api/units/:app/:unit/pings`. The pings themselves (`/ping/<token>...`) are served
 * ahead of Fastify by ping-handler.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../web/route-module.js';
import type { PingRecord } from './heartbeat-schema.js';
import { type PingIngest, pingHandler } from './ping-handler.js';

/** What the ping routes need from the heartbeat service. */
export interface PingRouteDeps extends PingIngest {
  listPings(opts: { unitId: string; limit: number; before?: number }): Promise<PingRecord[]>;
}

/** The heartbeat routes when heartbeats are wired: pings ahead of Fastify, the ping log through it. */
export const pingRoutes: RouteModule<{ heartbeats?: PingRouteDeps }> = {
  name: 'heartbeats',
  register: (app, deps) => {
    if (deps.heartbeats) registerPingRoutes(app, deps.heartbeats);
  },
  rawHandler: (deps, logger) => (deps.heartbeats ? pingHandler(deps.heartbeats, logger) : undefined),
};

/** Registers the ping log route on `app`. */
export function registerPingRoutes(app: FastifyInstance, heartbeats: PingRouteDeps): void {
  app.get<{ Params: { app: string; name: string }; Querystring: { limit?: string; before?: string } }>(
    '/api/units/:app/:name/pings',
    { config: { access: 'viewer' } },
    async (req) => {
      const limit = Math.min(1000, Math.max(1, Number.parseInt(req.query.limit ?? '50', 10) || 50));
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      return heartbeats.listPings({
        unitId: `${req.params.app}/${req.params.name}`,
        limit,
        before: Number.isFinite(before) ? before : undefined,
      });
    },
  );
}
