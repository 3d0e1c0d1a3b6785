/**
 * The public status pages: GET /status/<app> (HTML, no script), its Atom feed, its stylesheet, and SVG badges of the
 * units it shows. Every answer is rendered from a short-TTL cache, carries an ETag (304 on If-None-Match) and
 * `Cache-Control: public, max-age=30`. An unknown app, an app without `status:` and a unit it does not show all get
 * the same 404, so nothing about the plan can be learnt from outside.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from '../core/change.js';
import type { MaintenanceWindow, Plan } from '../plan/plan-types.js';
import type { Store } from '../runs/run-store.js';
import type { Database } from '../store/database.js';
import type { RouteModule } from '../web/route-module.js';
import { registerAnnouncementRoutes } from './announcement-routes.js';
import { AnnouncementStore } from './announcement-store.js';
import { type Answer, AnswerCache, answer, matchesEtag } from './answer-cache.js';
import { renderAtomFeed } from './atom-feed.js';
import { statusBadge, uptimeBadge } from './badge.js';
import { STATUS_CSS, STATUS_CSS_HASH } from './status-css.js';
import { publicUnit, type StatusSources, statusModel, statusPage, uptimeOf } from './status-model.js';
import { renderNotFoundPage, renderStatusPage } from './status-page.js';

/** What the status capability needs from the server. */
export interface StatusRouteDeps {
  /** The run store; its database also holds the announcements (without one, pages show none and there is no API). */
  store: Store & { readonly database?: Database };
  /** The live scheduler: a unit whose result it could not store shows `no data`, never its old state. */
  scheduler?: StatusSources['scheduler'];
  /** The running plan; without it every status page is a 404. */
  plan?: () => { plan: Plan; maintenance: readonly MaintenanceWindow[] };
  now: () => number;
  changes?: ChangeFeed;
  /** How long a rendered answer is reused (default 5 s). */
  statusCacheTtlMs?: number;
}

/** How long browsers and proxies may reuse a public answer. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=30';
const DEFAULT_TTL_MS = 5_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The badge files a shown unit has, and how each is made. */
const UPTIME_BADGES: Record<string, { window: string; grain: 'hour' | 'day'; ms: number }> = {
  'uptime-24h.svg': { window: '24h', grain: 'hour', ms: DAY },
  'uptime-7d.svg': { window: '7d', grain: 'hour', ms: 7 * DAY },
  'uptime-30d.svg': { window: '30d', grain: 'day', ms: 30 * DAY },
};

const BADGE_FILES = new Set(['status.svg', ...Object.keys(UPTIME_BADGES)]);

/** The status pages, feeds, badges and announcements API. */
export const statusRoutes: RouteModule<StatusRouteDeps> = { name: 'status', register: registerStatusRoutes };

/** What the page, feed and badge routes share. */
interface PublicCtx {
  sources: StatusSources;
  cache: AnswerCache;
  announcements?: AnnouncementStore;
}

const NOT_FOUND = answer(404, 'text/html; charset=utf-8', renderNotFoundPage());
const BADGE_NOT_FOUND = answer(404, 'text/plain; charset=utf-8', 'no such badge\n');

/** Registers /status/*, /badge/* and /api/announcements on `app`. */
export function registerStatusRoutes(app: FastifyInstance, deps: StatusRouteDeps): void {
  const announcements = deps.store.database ? new AnnouncementStore(deps.store.database) : undefined;
  const sources: StatusSources = {
    store: deps.store,
    scheduler: deps.scheduler,
    plan: deps.plan,
    announcements,
    now: deps.now,
  };
  const ctx: PublicCtx = {
    sources,
    cache: new AnswerCache(deps.statusCacheTtlMs ?? DEFAULT_TTL_MS, deps.now),
    announcements,
  };
  registerPageRoutes(app, ctx);
  registerBadgeRoute(app, ctx);
  if (announcements) {
    registerAnnouncementRoutes(app, {
      announcements,
      plan: deps.plan,
      now: deps.now,
      changed: (appName, at) => {
        ctx.cache.invalidate(`${appName}\0`);
        deps.changes?.publish({ kind: 'announcement', app: appName, at });
      },
    });
  }
}

/** The stylesheet, the page and its feed. */
function registerPageRoutes(app: FastifyInstance, { sources, cache, announcements }: PublicCtx): void {
  app.get<{ Querystring: { v?: string } }>(
    '/status/assets/status.css',
    { config: { access: 'public' } },
    async (req, reply) => {
      // The page links it with its hash: that URL never changes content, so it may be kept for a year.
      const immutable = req.query.v === STATUS_CSS_HASH;
      return sendAnswer(req, reply, answer(200, 'text/css; charset=utf-8', STATUS_CSS), {
        cacheControl: immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      });
    },
  );

  app.get<{ Params: { app: string } }>('/status/:app', { config: { access: 'public' } }, async (req, reply) => {
    const name = req.params.app;
    // Checked before the cache, so made-up names never take the place of real pages in it.
    if (!statusPage(sources, name)) return sendAnswer(req, reply, NOT_FOUND);
    const result = await cache.get(`${name}\0page`, async () => {
      const model = await statusModel(sources, name);
      return model ? answer(200, 'text/html; charset=utf-8', renderStatusPage(model)) : NOT_FOUND;
    });
    return sendAnswer(req, reply, result);
  });

  app.get<{ Params: { app: string } }>(
    '/status/:app/feed.atom',
    { config: { access: 'public' } },
    async (req, reply) => {
      const name = req.params.app;
      if (!statusPage(sources, name)) return sendAnswer(req, reply, NOT_FOUND);
      // Atom ids and links are absolute: the page's own URL as this request reached it (base path included).
      const pageUrl = `${req.protocol}://${req.host}${req.url.split('?')[0]?.replace(/\/feed\.atom$/, '')}`;
      const result = await cache.get(`${name}\0feed\0${pageUrl}`, async () => {
        const page = statusPage(sources, name);
        if (!page) return NOT_FOUND;
        const list = (await announcements?.list({ app: name })) ?? [];
        return answer(200, 'application/atom+xml; charset=utf-8', renderAtomFeed({ title: page.title, pageUrl }, list));
      });
      return sendAnswer(req, reply, result);
    },
  );
}

/** /badge/<app>/<unit>/<file> of the units a page shows. */
function registerBadgeRoute(app: FastifyInstance, { sources, cache }: PublicCtx): void {
  // Only a unit the page shows has badges (hasOwn: `constructor` or `__proto__` is no unit).
  const publicName = (name: string, unit: string) => {
    const show = statusPage(sources, name)?.show ?? {};
    return Object.hasOwn(show, unit) ? show[unit] : undefined;
  };
  app.get<{ Params: { app: string; unit: string; file: string } }>(
    '/badge/:app/:unit/:file',
    { config: { access: 'public' } },
    async (req, reply) => {
      const { app: name, unit, file } = req.params;
      if (publicName(name, unit) === undefined || !BADGE_FILES.has(file))
        return sendAnswer(req, reply, BADGE_NOT_FOUND);
      const result = await cache.get(`${name}\0badge\0${unit}\0${file}`, async () => {
        const shown = publicName(name, unit);
        if (shown === undefined) return BADGE_NOT_FOUND;
        const svg = await renderUnitBadge(sources, name, unit, shown, file);
        return svg === undefined ? BADGE_NOT_FOUND : answer(200, 'image/svg+xml; charset=utf-8', svg);
      });
      return sendAnswer(req, reply, result);
    },
  );
}

/** A shown unit's badge `file`, or undefined when there is no such badge. */
async function renderUnitBadge(
  sources: StatusSources,
  app: string,
  unit: string,
  publicName: string,
  file: string,
): Promise<string | undefined> {
  const now = sources.now();
  if (file === 'status.svg')
    return statusBadge(publicName, (await publicUnit(sources, app, unit, publicName, now)).state);
  const spec = UPTIME_BADGES[file];
  if (!Object.hasOwn(UPTIME_BADGES, file) || !spec) return undefined;
  const step = spec.grain === 'hour' ? HOUR : DAY;
  const to = Math.floor(now / step) * step + step;
  const rollups = await sources.store.listRollups({
    unitId: `${app}/${unit}`,
    grain: spec.grain,
    from: to - spec.ms,
    to,
  });
  return uptimeBadge(publicName, spec.window, uptimeOf(rollups));
}

/** Sends a cached answer with its ETag and cache headers, or 304 when the client already has it. */
function sendAnswer(
  req: FastifyRequest,
  reply: FastifyReply,
  result: Answer,
  opts: { cacheControl?: string } = {},
): FastifyReply {
  reply.header('cache-control', opts.cacheControl ?? PUBLIC_CACHE_CONTROL);
  if (result.status !== 200) return reply.code(result.status).type(result.type).send(result.body);
  reply.header('etag', result.etag);
  if (matchesEtag(req.headers['if-none-match'], result.etag)) return reply.code(304).send();
  return reply.code(200).type(result.type).send(result.body);
}
