/** upkeep's HTTP server: its own /healthz and the read-only API. Built by the composition root (src/app.ts). */
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAuthHook } from '../accounts/auth-hook.js';
import type { SessionPolicy } from '../accounts/session-policy.js';
import type { Window } from '../alerts/maintenance.js';
import type { BackupRouteDeps } from '../backups/backup-routes.js';
import type { AuditLog } from '../control/audit-port.js';
import type { Control } from '../control/control-deps.js';
import type { ChangeFeed } from '../core/change.js';
import type { PingRouteDeps } from '../heartbeats/ping-routes.js';
import type { RunTally } from '../metrics/run-tally.js';
import type { NotifyRouteDeps } from '../notify/notify-routes.js';
import type { LoadedPlan } from '../plan/load-plan.js';
import type { Store } from '../runs/run-store.js';
import type { LiveScheduler } from '../runs/unit-view.js';
import type { Database } from '../store/database.js';
import { stripBasePath } from './base-path.js';
import { registerSecurityHeaders, setRawSecurityHeaders } from './headers.js';
import { API_BODY_LIMIT, refusedRequest, registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { ROUTE_MODULES } from './routes.js';

export interface ServerDeps {
  /** The run store; its database also holds the accounts tables the auth hook reads. */
  store: Store & { readonly database: Database };
  /** The scheduler; `unitStatus` and `unitErrorList` let a view ask about one unit instead of walking status(). */
  scheduler?: LiveScheduler;
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
  /** Fastify's trustProxy (UPKEEP_TRUST_PROXY / --trust-proxy): true, a hop count, or addresses/CIDRs. */
  trustProxy?: boolean | number | string;
  /** The key TOTP secrets are encrypted with (derived from the data dir's key file). */
  accountsKey?: () => Promise<Buffer>;
  /** Session timeouts (tests shorten them). */
  sessionPolicy?: SessionPolicy;
  /** Overrides, operator actions and plan reload (src/control/), wired by the composition root. */
  control?: Control;
  /** Where action routes record who did what (accounts' audit log behind control's port, src/control/audit-port.ts). */
  audit?: AuditLog;
  /** The plan's maintenance windows as they are now (after a reload too), for the overview. */
  maintenance?: () => readonly Window[];
  /** How many overrides are active (the control capability's), for the overview. */
  activeOverrides?: () => Promise<number>;
  /** Unsent bytes one live stream may hold before the slow client is dropped (default 1 MiB; tests lower it). */
  liveMaxBufferedBytes?: number;
  /** The running plan (read on every use: it may be reloaded). Status pages and /metrics' access read it. */
  plan?: () => LoadedPlan;
  /** Runs recorded by this process, for /metrics' `upkeep_runs_total`. */
  runTally?: Pick<RunTally, 'entries'>;
  /** How long a rendered status page, feed or badge is reused (default 5 s). */
  statusCacheTtlMs?: number;
}

/** What a request log line says about the request: method, path with query values masked, and the client. */
function requestLogFields(req: { method?: string; url?: string; ip?: string }) {
  return { method: req.method, url: req.url?.replace(/([?&][^=&#]*=)[^&#]*/g, '$1***'), remoteAddress: req.ip };
}

/** The loop is considered stalled when it has not ticked for this long. */
const STALL_MS = 30_000;

/** Builds the Fastify app (not yet listening). */
export function buildServer(deps: ServerDeps): FastifyInstance {
  // Request logs name the path with query values masked: a link such as /setup?token=... must not reach the logs.
  const logger = deps.logger.child({ component: 'web' }, { serializers: { req: requestLogFields } });
  // Pings are answered by node's HTTP server before Fastify sees them (ping-handler.ts); everything else is Fastify's.
  const raw = ROUTE_MODULES.flatMap((routes) => routes.rawHandler?.(deps, logger) ?? []);
  // Request logs are pino `info`; upkeep logs at `warn` unless UPKEEP_LOG_LEVEL asks for more.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Behind a reverse proxy, req.ip and req.protocol (and so the Secure cookie) come from X-Forwarded-*.
    // A hop count is accepted at run time (proxy-addr), though Fastify's types name only booleans and addresses.
    trustProxy: (deps.trustProxy ?? false) as boolean | string,
    bodyLimit: API_BODY_LIMIT,
    serverFactory: (handler) =>
      createServer((req, res) => {
        // Set before a raw handler answers; on Fastify's path its onSend hook sets the same values again.
        setRawSecurityHeaders(req, res);
        if (!stripBasePath(deps.basePath ?? '', req, res)) return;
        if (!raw.some((answer) => answer(req, res))) handler(req, res);
      }),
  });

  // First, so every answer gets them: routes, 404s and errors alike.
  registerSecurityHeaders(app);
  // Before any route, so every route (whatever module adds it) passes through it.
  registerAuthHook(app, deps, logger);
  registerOpenApi(app, deps.version);

  app.get('/healthz', { config: { access: 'public' } }, async (_req, reply) => {
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

  // After the OpenAPI generator has loaded, so it sees every route's schemas.
  app.after(() => {
    registerOpenApiRoute(app);
    for (const routes of ROUTE_MODULES) routes.register(app, deps);
  });

  // A failure inside upkeep is reported as upkeep's, with a 5xx of its own, never as a verdict about a target.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const refused = refusedRequest(err, req.routeOptions?.bodyLimit ?? API_BODY_LIMIT);
    if (refused) return reply.code(refused.status).send(refused.body);
    deps.logger.error({ err }, 'api error');
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status >= 400 ? status : 500)
      .send({ error: status < 500 ? err.message : `upkeep internal error: ${err.message}` });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url}` }));
  return app;
}
