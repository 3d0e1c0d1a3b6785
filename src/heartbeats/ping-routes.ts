/**
 * A heartbeat unit's ping log at `/api/units/:app/:unit/pings`. The pings themselves (`/ping/<token>...`) are served
 * ahead of Fastify by ping-handler.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { limitQuery, unitIdParams } from '../web/api-params.js';
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
export function registerPingRoutes(root: FastifyInstance, heartbeats: PingRouteDeps): void {
  root.withTypeProvider<ZodTypeProvider>().get(
    '/api/units/:app/:name/pings',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['heartbeats'],
        summary: "A heartbeat's pings with their logs, newest first",
        params: unitIdParams,
        querystring: z.object({ limit: limitQuery(50), before: z.coerce.number().int().optional() }),
      },
    },
    async (req) =>
      heartbeats.listPings({
        unitId: `${req.params.app}/${req.params.name}`,
        limit: req.query.limit,
        before: req.query.before,
      }),
  );
}
