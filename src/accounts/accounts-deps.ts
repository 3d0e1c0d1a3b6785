/**
 * What the auth hook and the accounts routes share per server: one accounts context built from the server's
 * dependencies, the cookie's name and options, and the helpers that turn bodies and refusals into the error shape.
 */
import { randomBytes } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Database } from '../store/database.js';
import { type AccountsContext, AccountsError, accountsContext } from './accounts.js';
import type { SessionPolicy } from './session-policy.js';
import type { SessionAuth } from './sessions.js';

/** The session cookie's name (contract). */
export const SESSION_COOKIE = 'upkeep_session';

/** What accounts needs from the server's dependencies. */
export interface AccountsDeps {
  store: { database: Database };
  now: () => number;
  /** The key TOTP secrets are encrypted with (src/app.ts derives it from the data dir's key file). */
  accountsKey?: () => Promise<Buffer>;
  sessionPolicy?: SessionPolicy;
  /** UPKEEP_PUBLIC_URL: an Origin matching it is same-origin too. */
  publicUrl?: string;
  /** The base path upkeep is served under (cookie path). */
  basePath?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The cookie session behind `principal`, when the caller signed in with one. */
    accountsSession?: SessionAuth & { cookie: string };
  }
}

const contexts = new WeakMap<object, AccountsContext>();
// A server built without a key (tests, tools) encrypts with one random key per database: TOTP then lasts as long
// as that process, which is all such a server lives. `upkeep start` always passes the data dir's key.
const processKeys = new WeakMap<Database, Buffer>();

/** The accounts context of a server's dependencies (one per deps object). */
export function accountsFor(deps: AccountsDeps): AccountsContext {
  let ctx = contexts.get(deps);
  if (!ctx) {
    const database = deps.store.database;
    const fallback = async () => {
      let key = processKeys.get(database);
      if (!key) {
        key = randomBytes(32);
        processKeys.set(database, key);
      }
      return key;
    };
    ctx = accountsContext(database, {
      now: deps.now,
      totpKey: deps.accountsKey ?? fallback,
      sessionPolicy: deps.sessionPolicy,
    });
    contexts.set(deps, ctx);
  }
  return ctx;
}

/** The body parsed by `schema`, or a 400 naming each wrong field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const err = new AccountsError(
    `invalid request body: ${first ? `${first.path || 'body'}: ${first.message}` : 'unexpected shape'}`,
    400,
    'invalid_body',
  );
  (err as AccountsError & { issues?: unknown }).issues = issues;
  throw err;
}

/** Runs a handler, answering an AccountsError with its status and the error shape. */
export function guarded<R extends FastifyRequest>(
  fn: (req: R, reply: FastifyReply) => Promise<unknown>,
): (req: R, reply: FastifyReply) => Promise<unknown> {
  return async (req, reply) => {
    try {
      return await fn(req, reply);
    } catch (err) {
      if (!(err instanceof AccountsError)) throw err;
      const issues = (err as AccountsError & { issues?: unknown }).issues;
      return reply
        .code(err.status)
        .send({ error: err.message, ...(err.code ? { code: err.code } : {}), ...(issues ? { issues } : {}) });
    }
  };
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the request came over https. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, deps: AccountsDeps, value: string): void {
  const maxAge = Math.floor(accountsFor(deps).sessionPolicy.absoluteMs / 1000);
  reply.header(
    'set-cookie',
    fastifyCookie.serialize(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      path: `${deps.basePath ?? ''}/`,
      maxAge,
    }),
  );
}

/** Clears the session cookie. */
export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply, deps: AccountsDeps): void {
  reply.header(
    'set-cookie',
    fastifyCookie.serialize(SESSION_COOKIE, '', {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      path: `${deps.basePath ?? ''}/`,
      maxAge: 0,
    }),
  );
}

/** The session cookie's value on a request, if any. */
export function sessionCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return fastifyCookie.parse(header)[SESSION_COOKIE] || undefined;
}

/** True when the request's Origin (or Referer) is upkeep's own origin or the public URL's. */
export function sameOrigin(req: FastifyRequest, publicUrl: string | undefined): boolean {
  const claimed = originOf(req.headers.origin) ?? originOf(req.headers.referer);
  if (claimed === undefined) return false;
  const own = [originOf(`${req.protocol}://${req.host}`), originOf(publicUrl)];
  return own.includes(claimed);
}

/** True when the request names an Origin (or Referer) that is not upkeep's own. */
export function crossOrigin(req: FastifyRequest, publicUrl: string | undefined): boolean {
  const named = req.headers.origin !== undefined || req.headers.referer !== undefined;
  return named && !sameOrigin(req, publicUrl);
}

function originOf(url: string | undefined): string | undefined {
  if (!url || url === 'null') return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
