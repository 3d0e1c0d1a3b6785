/** The admin API: users, API tokens and settings (admin), and the audit log (viewer). Also the accounts RouteModule. */
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from '../web/route-module.js';
import {
  type AccountsContext,
  AccountsError,
  addUser,
  createToken,
  getSettings,
  parseRole,
  putSettings,
  removeUser,
  setRole,
} from './accounts.js';
import { type AccountsDeps, accountsFor, guarded, parseBody } from './accounts-deps.js';
import { listAudit, recordAudit } from './audit.js';
import { registerAuthRoutes } from './auth-routes.js';

const RoleField = z.enum(['viewer', 'operator', 'admin']);
const UserBody = z.strictObject({ email: z.string().max(254), role: RoleField, password: z.string().max(4096) });
const RoleBody = z.strictObject({ role: RoleField });
const TokenBody = z.strictObject({ name: z.string().max(100), role: RoleField });
const SettingsBody = z.strictObject({ requireTotp: z.boolean() });
const ADMIN_BODY_LIMIT = 64 * 1024;

/** The accounts routes: /api/auth/*, users, tokens, settings and audit. */
export const accountsRoutes: RouteModule<AccountsDeps> = {
  name: 'accounts',
  register(app, deps) {
    registerAuthRoutes(app, deps);
    registerAdminRoutes(app, deps);
  },
};

type Audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) => Promise<void>;
const admin = { config: { access: 'admin' as const }, bodyLimit: ADMIN_BODY_LIMIT };
/** An admin route's options with the zod schemas that validate it and describe it in the OpenAPI document. */
const adminRoute = (summary: string, schema: FastifySchema = {}) => ({
  ...admin,
  schema: { tags: ['accounts'], summary, ...schema },
});
const IdParams = z.object({ id: z.string().min(1).max(100) });
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('How many (1-1000, default 100).'),
  before: z.coerce.number().int().optional().describe('an audit entry id: entries older than it'),
});

/** Registers the admin routes and GET /api/audit. */
export function registerAdminRoutes(app: FastifyInstance, deps: AccountsDeps): void {
  const ctx = accountsFor(deps);
  const audit: Audit = (req, action, target, detail) =>
    recordAudit(deps.store.database, {
      actor: req.principal?.name ?? 'anonymous',
      action,
      target,
      ip: req.ip,
      detail,
      at: ctx.now(),
    });
  registerUserRoutes(app, ctx, audit);
  registerTokenRoutes(app, ctx, audit);
  registerSettingsRoutes(app, deps, audit);
}

/** Users: list, add, change a role, remove. */
function registerUserRoutes(app: FastifyInstance, ctx: AccountsContext, audit: Audit): void {
  app.get('/api/users', adminRoute('Users'), async () => ctx.store.listUsers());

  app.post(
    '/api/users',
    adminRoute('Add a user', { body: UserBody }),
    guarded(async (req, reply) => {
      const body = parseBody(UserBody, req.body);
      const user = await addUser(ctx, body);
      await audit(req, 'user.add', user.email, { role: user.role });
      return reply.code(201).send(user);
    }),
  );

  app.patch<{ Params: { id: string } }>(
    '/api/users/:id',
    adminRoute("Change a user's role", { params: IdParams, body: RoleBody }),
    guarded(async (req) => {
      const { role } = parseBody(RoleBody, req.body);
      const user = await setRole(ctx, req.params.id, parseRole(role));
      await audit(req, 'user.role', user.email, { role });
      return user;
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/users/:id',
    adminRoute('Remove a user', { params: IdParams }),
    guarded(async (req, reply) => {
      const user = await removeUser(ctx, req.params.id);
      await audit(req, 'user.remove', user.email);
      return reply.code(204).send();
    }),
  );
}

/** API tokens: list, create (shown once), revoke. */
function registerTokenRoutes(app: FastifyInstance, ctx: AccountsContext, audit: Audit): void {
  app.get('/api/tokens', adminRoute('API tokens (never their secrets)'), async () => ctx.store.listTokens());

  app.post(
    '/api/tokens',
    adminRoute('Create an API token (its secret is shown once)', { body: TokenBody }),
    guarded(async (req, reply) => {
      const body = parseBody(TokenBody, req.body);
      const created = await createToken(ctx, { ...body, createdBy: req.principal?.userId ?? null });
      await audit(req, 'token.create', created.record.name, { id: created.id, role: body.role });
      return reply.code(201).send({ id: created.id, token: created.token });
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    adminRoute('Revoke an API token', { params: IdParams }),
    guarded(async (req, reply) => {
      if (!(await ctx.store.revokeToken(req.params.id, ctx.now())))
        throw new AccountsError(`no unrevoked token with id "${req.params.id}"`, 404, 'no_token');
      await audit(req, 'token.revoke', req.params.id);
      return reply.code(204).send();
    }),
  );
}

/** Settings (admin) and the audit log (viewer). */
function registerSettingsRoutes(app: FastifyInstance, deps: AccountsDeps, audit: Audit): void {
  const ctx = accountsFor(deps);
  app.get('/api/settings', adminRoute('Settings'), async () => getSettings(ctx));

  app.put(
    '/api/settings',
    adminRoute('Change settings', { body: SettingsBody }),
    guarded(async (req) => {
      const settings = await putSettings(ctx, parseBody(SettingsBody, req.body));
      await audit(req, 'settings.change', 'settings', settings);
      return settings;
    }),
  );

  app.get<{ Querystring: { limit?: string; before?: string } }>(
    '/api/audit',
    {
      config: { access: 'viewer' },
      schema: { tags: ['accounts'], summary: 'The audit log, newest first', querystring: AuditQuery },
    },
    async (req, reply) => {
      const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
      const before = req.query.before === undefined ? undefined : Number(req.query.before);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
      if (before !== undefined && !Number.isInteger(before))
        return reply.code(400).send({ error: 'before must be an audit entry id (a whole number)' });
      return listAudit(deps.store.database, { limit, before });
    },
  );
}
