/**
 * What the dashboard's pages stand on: the overview (from the in-memory summary), one app's units with 24 h
 * sparklines (one query for the page's units), and one unit's uptime (four aggregate reads of its roll-ups).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maintenanceAt } from '../alerts/maintenance.js';
import { limitQuery, unitIdParams } from '../web/api-params.js';
import type { OverviewSummary } from './overview-summary.js';
import { baseUrl, notFound, seesTokens, tokensOf, unitId } from './route-helpers.js';
import type { ApiDeps } from './runs-routes.js';
import { heartbeatView, liveOf, unitGroup, unitView } from './unit-view.js';
import { sparklines, unitUptime } from './uptime.js';

const viewer = { access: 'viewer' as const };
const tags = ['dashboard'];

/** Registers /api/overview, /api/apps/:app and /api/units/:app/:name/uptime. */
export function registerDashboardRoutes(
  root: FastifyInstance,
  deps: ApiDeps,
  overview: () => ReturnType<OverviewSummary['snapshot']>,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = deps;

  const overviewSchema = { tags, summary: 'Apps worst first, counts by state, firing alerts, maintenance' };
  app.get('/api/overview', { config: viewer, schema: overviewSchema }, async () => {
    const [snapshot, overrides] = await Promise.all([overview(), deps.activeOverrides?.() ?? 0]);
    const maintenance = maintenanceAt(deps.maintenance?.() ?? [], deps.now());
    return { ...snapshot, maintenance, overrides };
  });

  app.get(
    '/api/apps/:app',
    {
      config: viewer,
      schema: {
        tags,
        summary: "An app's units grouped as checks, heartbeats and backups, with 24 h sparklines",
        params: z.object({ app: z.string().min(1).max(200) }),
        querystring: z.object({
          limit: limitQuery(500),
          cursor: z.string().max(400).optional().describe('the `next` of the previous page'),
        }),
      },
    },
    async (req, reply) => {
      const name = req.params.app;
      const limit = req.query.limit;
      const after = req.query.cursor || undefined;
      // One more than asked: whether there is a next page, without counting the app's units.
      const records = await store.listUnitsOfApp(name, { limit: limit + 1, after });
      if (records.length === 0 && after === undefined)
        return reply.code(404).send({ error: `no app "${name}" in the plan` });
      const page = records.slice(0, limit);
      const ids = page.map((r) => r.id);
      const heartbeatIds = seesTokens(req) ? page.filter((r) => r.kind === 'heartbeat').map((r) => r.id) : [];
      const [sparks, tokens] = await Promise.all([sparklines(store, ids, deps.now()), tokensOf(deps, heartbeatIds)]);
      const base = baseUrl(deps, req);
      const groups = { checks: [] as unknown[], heartbeats: [] as unknown[], backups: [] as unknown[] };
      for (const r of page) {
        const view = unitView(r, liveOf(deps.scheduler, r.id), heartbeatView(tokens?.get(r.id), base));
        groups[unitGroup(r)].push({ ...view, spark: sparks.get(r.id) ?? [] });
      }
      const next = records.length > limit ? (page.at(-1)?.id ?? null) : null;
      return { name, ...groups, next };
    },
  );

  const uptimeSchema = { tags, summary: "A unit's uptime over 24 h, 7 d, 30 d and 1 y", params: unitIdParams };
  app.get('/api/units/:app/:name/uptime', { config: viewer, schema: uptimeSchema }, async (req, reply) => {
    const id = unitId(req);
    if (!(await store.getUnit(id))) return notFound(reply, id);
    return unitUptime(store, id, deps.now());
  });
}
