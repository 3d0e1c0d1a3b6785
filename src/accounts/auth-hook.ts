/**
 * The one place authorization is enforced. Every route declares `config.access` (src/web/access.ts); this hook
 * resolves the caller from an `Authorization: Bearer` token or the session cookie, then refuses: a route with no
 * declared access (fail closed, 500), an anonymous caller (401), a cookie call that changes state without a
 * same-origin Origin and the session's CSRF token (403 `csrf`), a user who must enrol TOTP first (403
 * `totp_required`), and a role below the route's (403).
 */
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { allows } from '../web/access.js';
import { getSettings, tokenPrincipal } from './accounts.js';
import { type AccountsDeps, accountsFor, sameOrigin, sessionCookie } from './accounts-deps.js';
import { sameSecret } from './secrets.js';
import { resolveSession } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes a user who must enrol TOTP may still call: signing in, out, and enrolling. */
const AUTH_ROUTE = /\/api\/auth\//;

/** A registered route and what it declared. */
export interface RouteInfo {
  method: string;
  url: string;
  access: string | undefined;
}

const routeLists = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route registered on a server built with the auth hook (the route-walk test reads it). */
export function registeredRoutes(app: FastifyInstance): readonly RouteInfo[] {
  return routeLists.get(app) ?? [];
}

/** Registers the auth hook on `app` (before any route, so it covers all of them). */
export function registerAuthHook(app: FastifyInstance, deps: AccountsDeps, logger: Logger): void {
  const routes: RouteInfo[] = [];
  routeLists.set(app, routes);
  // The plugin loads the cookie codec accounts-deps.ts uses; this hook parses the cookie itself, in order.
  app.register(fastifyCookie, { hook: false });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, access: (route.config as { access?: string } | undefined)?.access });
  });
  app.addHook('onRequest', async (req, reply) => {
    // No route matched: the not-found handler answers; there is nothing to protect.
    if (req.routeOptions.url === undefined) return;
    const access = req.routeOptions.config?.access;
    if (access === undefined) {
      logger.error({ route: req.routeOptions.url }, 'route declares no access: refused');
      return deny(reply, 500, `upkeep internal error: ${req.method} ${req.routeOptions.url} declares no access`);
    }
    const bearer = bearerToken(req);
    if (bearer !== undefined) {
      const principal = await tokenPrincipal(accountsFor(deps), bearer);
      if (principal) req.principal = principal;
      else if (access !== 'public')
        return deny(
          reply,
          401,
          'this API token is unknown or revoked: create one with `upkeep token create`',
          'unauthenticated',
        );
    } else {
      const cookie = sessionCookie(req);
      const auth = cookie === undefined ? null : await resolveSession(accountsFor(deps), cookie);
      if (auth && cookie !== undefined) {
        req.principal = auth.principal;
        req.accountsSession = { ...auth, cookie };
      }
    }
    if (access === 'public') return;
    return enforce(req, reply, deps, access);
  });
}

async function enforce(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: AccountsDeps,
  access: 'viewer' | 'operator' | 'admin',
): Promise<FastifyReply | undefined> {
  const principal = req.principal;
  if (!principal)
    return deny(
      reply,
      401,
      'sign in first, or send Authorization: Bearer <token> (see docs/accounts.md)',
      'unauthenticated',
    );
  const session = req.accountsSession;
  if (session && !SAFE_METHODS.has(req.method)) {
    if (!sameOrigin(req, deps.publicUrl))
      return deny(reply, 403, 'cross-origin request refused: send it from upkeep itself (Origin header)', 'csrf');
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken))
      return deny(reply, 403, 'missing or wrong x-csrf-token header: take it from GET /api/auth/me', 'csrf');
  }
  if (session && session.user.totp_secret === null && !AUTH_ROUTE.test(req.routeOptions.url ?? '')) {
    if ((await getSettings(accountsFor(deps))).requireTotp)
      return deny(reply, 403, 'two-factor sign-in is required: enrol at /api/auth/totp/enroll first', 'totp_required');
  }
  if (!allows(principal.role, access))
    return deny(reply, 403, `this needs the ${access} role; ${principal.name} is ${principal.role}`, 'forbidden');
  return undefined;
}

function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : '';
}

function deny(reply: FastifyReply, status: number, error: string, code?: string): FastifyReply {
  return reply.code(status).send({ error, ...(code ? { code } : {}) });
}
