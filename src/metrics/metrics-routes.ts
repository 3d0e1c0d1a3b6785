/**
 * GET /metrics in the Prometheus text format. It needs a viewer (a Bearer token, as Prometheus sends) unless the
 * plan says `metrics: { public: true }`; the access is read from the plan when the routes are registered, so a
 * change of `metrics.public` takes effect at the next start.
 */
import type { FastifyInstance } from 'fastify';
import type { NotifierStatus } from '../notify/notifier.js';
import type { Plan } from '../plan/plan-types.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import type { Database } from '../store/database.js';
import type { Access } from '../web/access.js';
import type { RouteModule } from '../web/route-module.js';
import { readStoreSample } from './metric-sources.js';
import { createMetrics } from './metrics.js';
import type { RunTally } from './run-tally.js';

/** What /metrics reads. */
export interface MetricsRouteDeps {
  /** The run store; its database holds everything /metrics reads (without one, no /metrics). */
  store: { readonly database?: Database };
  plan?: () => { plan: Plan };
  scheduler?: { status(): SchedulerStatus };
  notifier?: { status(): NotifierStatus };
  runTally?: Pick<RunTally, 'entries'>;
  now: () => number;
}

/** /metrics, when the server has the store's database. */
export const metricsRoutes: RouteModule<MetricsRouteDeps> = {
  name: 'metrics',
  register: (app, deps) => {
    if (deps.store.database) registerMetricsRoutes(app, deps, deps.store.database);
  },
};

/** The access /metrics is registered with: public only when the plan says so. */
export function metricsAccess(plan: Plan | undefined): Access {
  return plan?.metrics?.public === true ? 'public' : 'viewer';
}

/** Registers GET /metrics. */
export function registerMetricsRoutes(
  app: FastifyInstance,
  deps: Omit<MetricsRouteDeps, 'store'>,
  database: Database,
): void {
  const registry = createMetrics({
    sample: () => readStoreSample(database),
    scheduler: deps.scheduler,
    notifier: deps.notifier,
    runs: deps.runTally,
    now: deps.now,
  });
  app.get('/metrics', { config: { access: metricsAccess(deps.plan?.().plan) } }, async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
  });
}
