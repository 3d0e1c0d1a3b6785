/**
 * The read-only JSON API: apps, units, runs, transitions, history. Handlers stay thin: read, shape, reply. A view
 * costs what it shows: one unit's answer reads that unit's rows only (by id), never the list of every unit.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Window } from '../alerts/maintenance.js';
import type { Change, ChangeFeed } from '../core/change.js';
import type { RollupGrain } from '../core/run.js';
import { limitQuery, msQuery, unitIdParams } from '../web/api-params.js';
import type { RouteModule } from '../web/route-module.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { OverviewSummary } from './overview-summary.js';
import { baseUrl, notFound, seesTokens, tokensOf, unitId } from './route-helpers.js';
import type { Store } from './run-store.js';
import { heartbeatView, type LiveScheduler, liveOf, unitView } from './unit-view.js';

export interface ApiDeps {
  store: Store;
  scheduler?: LiveScheduler;
  now: () => number;
  /** Heartbeat tokens, shown with their ping URLs on heartbeat units (`tokensOf` reads only the units asked for). */
  heartbeats?: { tokens(): Promise<Map<string, string>>; tokensOf?(unitIds: string[]): Promise<Map<string, string>> };
  /** Base of the ping URLs; default: the URL this request came through. */
  publicUrl?: string;
  /** The prefix upkeep is served under, part of the ping URLs derived from a request. */
  basePath?: string;
  /** The live hub: when it can be listened to, the overview's numbers are kept from its changes, not re-read. */
  changes?: ChangeFeed & { listen?(fn: (change: Change) => void): () => void };
  /** The plan's maintenance windows (current after a reload), for the overview's active and next windows. */
  maintenance?: () => readonly Window[];
  /** How many overrides are active (the control capability's), for the overview. */
  activeOverrides?: () => Promise<number>;
}

/** The units and runs API, always registered. */
export const runsRoutes: RouteModule<ApiDeps> = { name: 'runs', register: registerApiRoutes };

/** Milliseconds per roll-up grain. */
export const GRAIN_MS: Record<RollupGrain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** The most buckets one history answer carries (a year of hours is 8,760: ask for days instead). */
const MAX_BUCKETS = 5_000;

const viewer = { access: 'viewer' as const };
const tags = ['units'];

/** Registers /api/* on `app`. */
export function registerApiRoutes(root: FastifyInstance, deps: ApiDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = deps;
  const summary = new OverviewSummary(store);
  // Without a hub to listen to, nothing would tell the summary about changes: it is then read afresh per request.
  const unlisten = deps.changes?.listen?.((change) => summary.apply(change));
  const overview = async () => {
    if (!unlisten) await summary.reload();
    return summary.snapshot(
      deps.scheduler?.unitErrorList?.() ?? Object.entries(deps.scheduler?.status().unitErrors ?? {}),
    );
  };
  if (unlisten) {
    app.addHook('onClose', async () => unlisten());
    // Read once while starting, so the first dashboard opened does not wait for every unit to be read.
    app.addHook('onReady', async () => void summary.reload().catch(() => undefined));
  }

  app.get(
    '/api/apps',
    { config: viewer, schema: { tags, summary: 'Apps with their units counted by state' } },
    async () =>
      (await overview()).apps.map((a) => ({ name: a.name, units: a.units, states: a.counts, worst: a.worst })),
  );

  // Every unit: for scripts (`upkeep status` reads the store itself). Pages use /api/overview and /api/apps/:app.
  app.get('/api/units', { config: viewer, schema: { tags, summary: 'Every unit (for scripts)' } }, async (req) => {
    const tokens = deps.heartbeats && seesTokens(req) ? await deps.heartbeats.tokens() : undefined;
    const status = deps.scheduler?.status();
    const base = baseUrl(deps, req);
    return (await store.listUnits()).map((r) =>
      unitView(
        r,
        status && { running: status.inFlight.includes(r.id), error: status.unitErrors[r.id] ?? null },
        heartbeatView(tokens?.get(r.id), base),
      ),
    );
  });

  const unitRoute = {
    config: viewer,
    schema: { tags, summary: 'One unit with its last transitions', params: unitIdParams },
  };
  app.get('/api/units/:app/:name', unitRoute, async (req, reply) => {
    const id = unitId(req);
    const record = await store.getUnit(id);
    if (!record) return notFound(reply, id);
    const [transitions, tokens] = await Promise.all([
      store.listTransitions({ unitId: id, limit: 20 }),
      record.kind === 'heartbeat' && seesTokens(req) ? tokensOf(deps, [id]) : undefined,
    ]);
    const heartbeat = heartbeatView(tokens?.get(id), baseUrl(deps, req));
    return { ...unitView(record, liveOf(deps.scheduler, id), heartbeat), transitions };
  });

  registerHistoryRoutes(app, deps);
  registerDashboardRoutes(app, deps, overview);
}

/** A unit's runs and roll-ups, and transitions: each read by unit id and paged. */
function registerHistoryRoutes(root: FastifyInstance, deps: ApiDeps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = deps;
  app.get(
    '/api/units/:app/:name/runs',
    {
      config: viewer,
      schema: {
        tags,
        summary: "A unit's runs, newest first",
        params: unitIdParams,
        querystring: z.object({ limit: limitQuery(50), before: msQuery.optional().describe('runs started before') }),
      },
    },
    async (req, reply) => {
      const id = unitId(req);
      if (!(await store.getUnit(id))) return notFound(reply, id);
      return store.listRuns({ unitId: id, limit: req.query.limit, before: req.query.before });
    },
  );

  app.get(
    '/api/units/:app/:name/history',
    {
      config: viewer,
      schema: {
        tags,
        summary: "A unit's roll-ups (response time and uptime per minute, hour or day)",
        params: unitIdParams,
        querystring: z.object({
          grain: z.enum(['minute', 'hour', 'day']).default('hour'),
          from: msQuery.optional().describe('default: 48 buckets before `to`'),
          to: msQuery.optional().describe('default: now'),
        }),
      },
    },
    async (req, reply) => {
      const id = unitId(req);
      const grain: RollupGrain = req.query.grain;
      const to = req.query.to ?? deps.now();
      const from = req.query.from ?? to - 48 * GRAIN_MS[grain];
      if ((to - from) / GRAIN_MS[grain] > MAX_BUCKETS)
        return reply.code(400).send({
          error: `at most ${MAX_BUCKETS} ${grain} buckets per answer: ask for a coarser grain or a shorter range`,
        });
      return store.listRollups({ unitId: id, grain, from, to });
    },
  );

  app.get(
    '/api/transitions',
    {
      config: viewer,
      schema: {
        tags,
        summary: 'Alert state transitions, newest first',
        querystring: z.object({
          limit: limitQuery(100),
          unit: z.string().max(400).optional().describe('a unit id app/name'),
          before: msQuery.optional().describe('transitions before'),
        }),
      },
    },
    async (req) => store.listTransitions({ unitId: req.query.unit, limit: req.query.limit, before: req.query.before }),
  );
}
