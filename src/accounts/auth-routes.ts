/** The sign-in API under /api/auth: who am I, first-admin setup, login, logout, password change and TOTP. */
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { type AccountsContext, AccountsError, getSettings, setupFirstAdmin } from './accounts.js';
import {
  type AccountsDeps,
  accountsFor,
  clearSessionCookie,
  crossOrigin,
  guarded,
  parseBody,
  sessionCookie,
  setSessionCookie,
} from './accounts-deps.js';
import type { UsersTable } from './accounts-schema.js';
import { recordAudit } from './audit.js';
import { changePassword, createSession, csrfTokenFor, login, logout } from './sessions.js';
import { confirmTotp, disableTotp, enrollTotp } from './two-factor.js';

/** Auth bodies are tiny: anything larger is refused before it is parsed. */
const AUTH_BODY_LIMIT = 16 * 1024;
const text = (max: number) => z.string().max(max);
const SetupBody = z.strictObject({ token: text(200), email: text(254), password: text(4096) });
const LoginBody = z.strictObject({
  email: text(254),
  password: text(4096),
  totp: text(20).optional(),
  recoveryCode: text(64).optional(),
});
const PasswordBody = z.strictObject({ current: text(4096), next: text(4096) });
const CodeBody = z.strictObject({ code: text(64) });

/** What the /api/auth route groups share. */
interface AuthRouteKit {
  deps: AccountsDeps;
  ctx: AccountsContext;
  /** A route's options: its access, the auth body cap, and the zod schemas that validate and document it. */
  opts(
    access: 'public' | 'viewer',
    summary?: string,
    body?: FastifySchema['body'],
  ): { config: { access: 'public' | 'viewer' }; bodyLimit: number; schema: FastifySchema };
  audit(req: FastifyRequest, action: string, actor: string, detail?: unknown): Promise<void>;
  me(user: UsersTable, csrfToken: string): Promise<unknown>;
}

/** Registers /api/auth/*. */
export function registerAuthRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  const ctx = accountsFor(deps);
  const kit: AuthRouteKit = {
    deps,
    ctx,
    opts: (access, summary, body) => ({
      config: { access },
      bodyLimit: AUTH_BODY_LIMIT,
      schema: { tags: ['auth'], summary, ...(body ? { body } : {}) },
    }),
    audit: (req, action, actor, detail) =>
      recordAudit(deps.store.database, { actor, action, target: actor, ip: req.ip, detail, at: ctx.now() }),
    me: async (user, csrfToken) => ({
      user: { id: user.id, email: user.email, role: user.role, totp: user.totp_secret !== null },
      csrfToken,
      mustEnrollTotp: user.totp_secret === null && (await getSettings(ctx)).requireTotp,
    }),
  };
  registerIdentityRoutes(app, kit);
  registerLoginRoutes(app, kit);
  registerTotpRoutes(app, kit);
}

/** Who am I, and the first-admin setup. */
function registerIdentityRoutes(app: FastifyInstance, { deps, ctx, opts, audit, me }: AuthRouteKit): void {
  app.get('/api/auth/me', opts('public', 'Who is signed in, and the CSRF token'), async (req, reply) => {
    const session = req.accountsSession;
    if (session) return me(session.user, session.csrfToken);
    if (req.principal)
      return { user: null, token: { name: req.principal.name, role: req.principal.role }, csrfToken: null };
    return reply.code(401).send({ error: 'not signed in', code: 'unauthenticated' });
  });

  app.get('/api/auth/setup', opts('public', 'Whether the first admin is still to be created'), async () => ({
    needed: (await ctx.store.countUsers()) === 0,
  }));

  app.post(
    '/api/auth/setup',
    opts('public', 'Create the first admin with the one-time setup link', SetupBody),
    guarded(async (req, reply) => {
      refuseCrossOrigin(req, deps);
      const body = parseBody(SetupBody, req.body);
      const user = await setupFirstAdmin(ctx, body);
      const cookie = await createSession(ctx, user.id, req.ip, req.headers['user-agent']);
      await audit(req, 'auth.setup', user.email);
      setSessionCookie(req, reply, deps, cookie);
      return me((await ctx.store.userById(user.id)) as UsersTable, csrfTokenFor(cookie));
    }),
  );
}

/** Sign-in, sign-out and the password change. */
function registerLoginRoutes(app: FastifyInstance, { deps, ctx, opts, audit, me }: AuthRouteKit): void {
  app.post(
    '/api/auth/login',
    opts('public', 'Sign in (password, then a TOTP or recovery code when enrolled)', LoginBody),
    guarded(async (req, reply) => {
      refuseCrossOrigin(req, deps);
      const body = parseBody(LoginBody, req.body);
      const result = await login(ctx, { ...body, ip: req.ip, userAgent: req.headers['user-agent'] });
      if (result.kind === 'throttled') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        return reply.code(429).send({
          error: `too many failed sign-ins: try again in ${result.retryAfterSeconds} s`,
          code: 'throttled',
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
      if (result.kind === 'totp_required')
        return reply.code(401).send({ error: 'enter the code from your authenticator app', code: 'totp_required' });
      if (result.kind === 'invalid') {
        await audit(
          req,
          'auth.login_failed',
          body.email.trim().toLowerCase().slice(0, 254),
          result.code ? { reason: result.code } : undefined,
        );
        return reply.code(401).send({
          error: result.code ? 'the code is wrong or was already used' : 'wrong email or password',
          ...(result.code ? { code: result.code } : {}),
        });
      }
      // A session the browser held before signing in ends: each sign-in gets a fresh id.
      const previous = sessionCookie(req);
      if (previous) await logout(ctx, previous);
      await audit(req, 'auth.login', result.user.email);
      setSessionCookie(req, reply, deps, result.cookie);
      return me((await ctx.store.userById(result.user.id)) as UsersTable, result.csrfToken);
    }),
  );

  app.post('/api/auth/logout', opts('viewer', 'Sign out (ends this session)'), async (req, reply) => {
    const cookie = sessionCookie(req);
    if (cookie && req.accountsSession) await logout(ctx, cookie);
    clearSessionCookie(req, reply, deps);
    await audit(req, 'auth.logout', req.principal?.name ?? 'anonymous');
    return reply.code(204).send();
  });

  app.post(
    '/api/auth/password',
    opts('viewer', 'Change your password (your other sessions end)', PasswordBody),
    guarded(async (req, reply) => {
      const body = parseBody(PasswordBody, req.body);
      const session = sessionOf(req);
      await changePassword(
        ctx,
        { userId: session.user.id, sessionId: session.principal.sessionId },
        body.current,
        body.next,
      );
      await audit(req, 'user.password', session.user.email);
      return reply.code(204).send();
    }),
  );
}

/** TOTP enrolment, confirmation and removal. */
function registerTotpRoutes(app: FastifyInstance, { ctx, opts, audit }: AuthRouteKit): void {
  app.post(
    '/api/auth/totp/enroll',
    opts('viewer', 'Start TOTP enrolment'),
    guarded(async (req) => enrollTotp(ctx, sessionOf(req).user.id)),
  );

  app.post(
    '/api/auth/totp/confirm',
    opts('viewer', 'Confirm TOTP with a code; answers the recovery codes once', CodeBody),
    guarded(async (req) => {
      const { code } = parseBody(CodeBody, req.body);
      const session = sessionOf(req);
      const recoveryCodes = await confirmTotp(ctx, session.user.id, code);
      await audit(req, 'user.totp_on', session.user.email);
      return { recoveryCodes };
    }),
  );

  app.delete(
    '/api/auth/totp',
    opts('viewer', 'Turn TOTP off (needs a current code)', CodeBody),
    guarded(async (req, reply) => {
      const { code } = parseBody(CodeBody, req.body);
      const session = sessionOf(req);
      await disableTotp(ctx, session.user.id, code);
      await audit(req, 'user.totp_off', session.user.email);
      return reply.code(204).send();
    }),
  );
}

function sessionOf(req: FastifyRequest) {
  const session = req.accountsSession;
  if (!session) throw new AccountsError('this needs a signed-in user, not an API token', 403, 'session_required');
  return session;
}

/** Sign-in from another site's page is refused (login CSRF); a request naming no Origin (curl) is fine. */
function refuseCrossOrigin(req: FastifyRequest, deps: AccountsDeps): void {
  if (crossOrigin(req, deps.publicUrl))
    throw new AccountsError('cross-origin sign-in refused: sign in from upkeep itself', 403, 'csrf');
}
