/** The read-only JSON API: apps, units, runs, transitions, history. Handlers stay thin: read, shape, reply. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RollupGrain } from '../core/run.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
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
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const views = async (req?: FastifyRequest) => {
    const live = deps.scheduler?.status();
    const tokens = req && deps.heartbeats ? await deps.heartbeats.tokens() : undefined;
    const base = deps.publicUrl ?? (req ? `${req.protocol}://${req.host}${deps.basePath ?? ''}` : '');
    return (await store.listUnits()).map((r) => unitView(r, live, heartbeatView(tokens?.get(r.id), base)));
  };

  app.get('/api/apps', async () => appSummaries(await views()));
  app.get('/api/units', async (req) => views(req));

  app.get<{ Params: { app: string; name: string } }>('/api/units/:app/:name', async (req, reply) => {
    const id = `${req.params.app}/${req.params.name}`;
    const record = await store.getUnit(id);
    if (!record) return reply.code(404).send({ error: `no unit "${id}" in the plan` });
    const transitions = await store.listTransitions({ unitId: id, limit: 20 });
    const token = deps.heartbeats ? (await deps.heartbeats.tokens()).get(id) : undefined;
    const base = deps.publicUrl ?? `${req.protocol}://${req.host}${deps.basePath ?? ''}`;
    return { ...unitView(record, deps.scheduler?.status(), heartbeatView(token, base)), transitions };
  });

  app.get<{ Params: { app: string; name: string }; Querystring: { limit?: string; before?: string } }>(
    '/api/units/:app/:name/runs',
    async (req, reply) => {
      const id = `${req.params.app}/${req.params.name}`;
      if (!(await store.getUnit(id))) return reply.code(404).send({ error: `no unit "${id}" in the plan` });
      const limit = clampInt(req.query.limit, 50, 1, 1000);
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      return store.listRuns({ unitId: id, limit, before: Number.isFinite(before) ? before : undefined });
    },
  );

  app.get<{ Params: { app: string; name: string }; Querystring: { grain?: string; from?: string; to?: string } }>(
    '/api/units/:app/:name/history',
    async (req, reply) => {
      const id = `${req.params.app}/${req.params.name}`;
      const grain = (req.query.grain ?? 'hour') as RollupGrain;
      if (!(grain in GRAINS)) return reply.code(400).send({ error: 'grain must be minute, hour or day' });
      const to = Number(req.query.to ?? deps.now());
      const from = Number(req.query.from ?? to - 48 * GRAINS[grain]);
      if (!Number.isFinite(from) || !Number.isFinite(to))
        return reply.code(400).send({ error: 'from/to are ms since epoch' });
      return store.listRollups({ unitId: id, grain, from, to });
    },
  );

  app.get<{ Querystring: { limit?: string; unit?: string } }>('/api/transitions', async (req) =>
    store.listTransitions({ unitId: req.query.unit, limit: clampInt(req.query.limit, 100, 1, 1000) }),
  );
}

function clampInt(text: string | undefined, fallback: number, min: number, max: number): number {
  const n = text === undefined ? fallback : Number.parseInt(text, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
