/** The read-only JSON API: apps, units, runs, transitions, history. Handlers stay thin: read, shape, reply. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RollupGrain } from '../core/run.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import { allows } from '../web/access.js';
import { limitQuery, msQuery, unitIdParams } from '../web/api-params.js';
import type { RouteModule } from '../web/route-module.js';
import type { Store } from './run-store.js';
import { appSummaries, heartbeatView, unitView } from './unit-view.js';

export interface ApiDeps {
  store: Store;
  scheduler?: { status(): SchedulerStatus };
  now: () => number;
  /** Heartbeat tokens, shown with their ping URLs on heartbeat units. */
  heartbeats?: { tokens(): Promise<Map<string, string>> };
  /** Base of the ping URLs; default: the URL this request came through. */
  publicUrl?: string;
  /** The prefix upkeep is served under, part of the ping URLs derived from a request. */
  basePath?: string;
}

/** The units and runs API, always registered. */
export const runsRoutes: RouteModule<ApiDeps> = { name: 'runs', register: registerApiRoutes };

const GRAINS: Record<RollupGrain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Registers /api/* on `app`. */
export function registerApiRoutes(root: FastifyInstance, deps: ApiDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = deps;
  // Heartbeat tokens are secrets that let anyone send pings: only operators see them (and their ping URLs).
  const showTokens = (req: FastifyRequest) => deps.heartbeats !== undefined && allows(req.principal?.role, 'operator');
  const views = async (req?: FastifyRequest) => {
    const live = deps.scheduler?.status();
    const tokens = req && showTokens(req) ? await deps.heartbeats?.tokens() : undefined;
    const base = deps.publicUrl ?? (req ? `${req.protocol}://${req.host}${deps.basePath ?? ''}` : '');
    return (await store.listUnits()).map((r) => unitView(r, live, heartbeatView(tokens?.get(r.id), base)));
  };
  const viewer = { access: 'viewer' as const };
  const tags = ['units'];

  app.get('/api/apps', { config: viewer, schema: { tags, summary: 'Apps with state counts' } }, async () =>
    appSummaries(await views()),
  );
  app.get('/api/units', { config: viewer, schema: { tags, summary: 'Every unit' } }, async (req) => views(req));

  app.get(
    '/api/units/:app/:name',
    { config: viewer, schema: { tags, summary: 'One unit with its transitions', params: unitIdParams } },
    async (req, reply) => {
      const id = `${req.params.app}/${req.params.name}`;
      const record = await store.getUnit(id);
      if (!record) return reply.code(404).send({ error: `no unit "${id}" in the plan` });
      const transitions = await store.listTransitions({ unitId: id, limit: 20 });
      const token = showTokens(req) ? (await deps.heartbeats?.tokens())?.get(id) : undefined;
      const base = deps.publicUrl ?? `${req.protocol}://${req.host}${deps.basePath ?? ''}`;
      return { ...unitView(record, deps.scheduler?.status(), heartbeatView(token, base)), transitions };
    },
  );

  app.get(
    '/api/units/:app/:name/runs',
    {
      config: viewer,
      schema: {
        tags,
        summary: "A unit's runs, newest first",
        params: unitIdParams,
        querystring: z.object({ limit: limitQuery(50), before: msQuery.optional() }),
      },
    },
    async (req, reply) => {
      const id = `${req.params.app}/${req.params.name}`;
      if (!(await store.getUnit(id))) return reply.code(404).send({ error: `no unit "${id}" in the plan` });
      return store.listRuns({ unitId: id, limit: req.query.limit, before: req.query.before });
    },
  );

  app.get(
    '/api/units/:app/:name/history',
    {
      config: viewer,
      schema: {
        tags,
        summary: "A unit's roll-ups",
        params: unitIdParams,
        querystring: z.object({
          grain: z.enum(['minute', 'hour', 'day']).default('hour'),
          from: msQuery.optional(),
          to: msQuery.optional(),
        }),
      },
    },
    async (req) => {
      const id = `${req.params.app}/${req.params.name}`;
      const grain: RollupGrain = req.query.grain;
      const to = req.query.to ?? deps.now();
      const from = req.query.from ?? to - 48 * GRAINS[grain];
      return store.listRollups({ unitId: id, grain, from, to });
    },
  );

  app.get(
    '/api/transitions',
    {
      config: viewer,
      schema: {
        tags,
        summary: 'Alert transitions, newest first',
        querystring: z.object({ limit: limitQuery(100), unit: z.string().max(400).optional() }),
      },
    },
    async (req) => store.listTransitions({ unitId: req.query.unit, limit: req.query.limit }),
  );
}
