/** upkeep's HTTP server: its own /healthz and the read-only API. Built by the composition root (src/app.ts). */
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BackupRouteDeps } from '../backups/backup-routes.js';
import type { ChangeFeed } from '../core/change.js';
import type { PingRouteDeps } from '../heartbeats/ping-routes.js';
import type { NotifyRouteDeps } from '../notify/notify-routes.js';
import type { Store } from '../runs/run-store.js';
import type { SchedulerStatus } from '../schedule/scheduler.js';
import { stripBasePath } from './base-path.js';
import { ROUTE_MODULES } from './routes.js';

export interface ServerDeps {
  store: Store;
  scheduler?: { status(): SchedulerStatus };
  logger: Logger;
  now: () => number;
  version: string;
  /** Heartbeat ingest (src/heartbeats/heartbeat-service.ts): serves /ping/<token> and shows tokens in /api/units. */
  heartbeats?: PingRouteDeps & { tokens(): Promise<Map<string, string>> };
  /** The base URL ping URLs are shown under (UPKEEP_PUBLIC_URL); default: the URL the API was asked through. */
  publicUrl?: string;
  /** The notifier: its own store trouble shows in /healthz; its outbox and channels in the API. */
  notifier?: NotifyRouteDeps['notifier'];
  /** Where routes that change something publish it for live pages (the hub in src/web/live/). */
  changes?: ChangeFeed;
  /** The prefix every route is served under (`/upkeep`, from --base-path / UPKEEP_BASE_PATH); '' or absent: none. */
  basePath?: string;
  /** Where the built dashboard lies (default dist/web/ in the package). */
  dashboardDir?: string;
  /** The backup catalog, for the dashboard's database panel (GET /api/databases/:app/:name/backups). */
  backupCatalog?: BackupRouteDeps['backupCatalog'];
}

/** The loop is considered stalled when it has not ticked for this long. */
const STALL_MS = 30_000;

/** Builds the Fastify app (not yet listening). */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const logger = deps.logger.child({ component: 'web' });
  // Pings are answered by node's HTTP server before Fastify sees them (ping-handler.ts); everything else is Fastify's.
  const raw = ROUTE_MODULES.flatMap((routes) => routes.rawHandler?.(deps, logger) ?? []);
  // Request logs are pino `info`; upkeep logs at `warn` unless UPKEEP_LOG_LEVEL asks for more.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    serverFactory: (handler) =>
      createServer((req, res) => {
        if (!stripBasePath(deps.basePath ?? '', req, res)) return;
        if (!raw.some((answer) => answer(req, res))) handler(req, res);
      }),
  });

  app.get('/healthz', async (_req, reply) => {
    const problems: string[] = [];
    try {
      await deps.store.ping();
    } catch (err) {
      problems.push(`store: ${err instanceof Error ? err.message : String(err)}`);
    }
    const s = deps.scheduler?.status();
    if (s?.storeError)
      problems.push(
        `scheduler cannot use its store since ${new Date(s.storeError.since).toISOString()}: ${s.storeError.message}`,
      );
    const n = deps.notifier?.status();
    if (n?.error)
      problems.push(`notifier cannot use its store since ${new Date(n.error.since).toISOString()}: ${n.error.message}`);
    if (s?.running && s.lastTickAt !== null && deps.now() - s.lastTickAt > STALL_MS)
      problems.push('scheduler loop stalled');
    const body = {
      status: problems.length === 0 ? 'ok' : 'error',
      version: deps.version,
      store: deps.store.dialect,
      scheduler: s ? { running: s.running, inFlight: s.inFlight.length, runs: s.runs, lastTickAt: s.lastTickAt } : null,
      problems,
    };
    return reply.code(problems.length === 0 ? 200 : 503).send(body);
  });

  for (const routes of ROUTE_MODULES) routes.register(app, deps);

  // A failure inside upkeep is reported as upkeep's, with a 5xx of its own, never as a verdict about a target.
  app.setErrorHandler((err: Error, _req, reply) => {
    deps.logger.error({ err }, 'api error');
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status >= 400 ? status : 500)
      .send({ error: status < 500 ? err.message : `upkeep internal error: ${err.message}` });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
  return app;
}
