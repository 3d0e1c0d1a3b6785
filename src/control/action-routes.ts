/**
 * Operator actions: run now, back up now, drill now (each queued through the scheduler, never run inside the
 * request), a test notification, and the plan: `POST /api/plan/reload` and `GET /api/plan`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf, auditAction } from './audit-port.js';
import type { Control, ControlRouteDeps } from './control-deps.js';
import { channelParams, emptyBody, queuedSchema, unitParams } from './control-schemas.js';

const tags = ['control'];

/** Registers the action routes and the plan routes. */
export function registerActionRoutes(root: FastifyInstance, deps: ControlRouteDeps & { control: Control }): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { control } = deps;

  /** Queues `id` to run now, refusing a paused unit (resume it first) and a unit the plan does not have. */
  const queue = async (req: FastifyRequest, reply: FastifyReply, id: string, what: string, action: string) => {
    const unit = control.unit(id);
    if (!unit) return reply.code(404).send({ error: `no ${what} "${id}" in the running plan` });
    const pause = control.overrides.find('pause', unit, deps.now());
    if (pause)
      return reply.code(409).send({
        error: `${id} is paused by ${pause.author} (${pause.reason}): resume it first`,
        code: 'paused',
      });
    if (!(await control.runNow(id))) return reply.code(404).send({ error: `no ${what} "${id}" in the running plan` });
    await auditAction(deps, req, action, id);
    return reply.code(202).send({ queued: true as const, unitId: id });
  };
  const queued = { 202: queuedSchema };

  app.post(
    '/api/units/:app/:name/run',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Run a unit now', params: unitParams, body: emptyBody, response: queued },
    },
    (req, reply) => queue(req, reply, `${req.params.app}/${req.params.name}`, 'unit', 'unit.run'),
  );

  app.post(
    '/api/databases/:app/:name/backup',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Back a database up now', params: unitParams, body: emptyBody, response: queued },
    },
    (req, reply) =>
      queue(req, reply, `${req.params.app}/${req.params.name}.backup`, 'database backup', 'database.backup'),
  );

  app.post(
    '/api/databases/:app/:name/drill',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Run a restore drill now', params: unitParams, body: emptyBody, response: queued },
    },
    (req, reply) =>
      queue(
        req,
        reply,
        `${req.params.app}/${req.params.name}.drill`,
        'restore drill (a database with `verify:` in the plan)',
        'database.drill',
      ),
  );

  registerTestAndPlanRoutes(root, deps);
}

/** The test send and the plan routes. */
function registerTestAndPlanRoutes(root: FastifyInstance, deps: ControlRouteDeps & { control: Control }): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { control } = deps;

  app.post(
    '/api/channels/:name/test',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Send a test notification', params: channelParams, body: emptyBody },
    },
    async (req, reply) => {
      const { name } = req.params;
      if (!control.hasChannel(name)) return reply.code(404).send({ error: `no channel "${name}" in the plan` });
      const result = await control.testSend(name);
      await auditAction(deps, req, 'channel.test', `channel:${name}`, { ok: result.ok, outboxId: result.outboxId });
      return result;
    },
  );

  app.post(
    '/api/plan/reload',
    { config: { access: 'operator' }, schema: { tags, summary: 'Reload the plan file', body: emptyBody } },
    async (req, reply) => {
      const result = await control.reloader.reload();
      await auditAction(deps, req, 'plan.reload', control.reloader.info().path, {
        ok: result.ok,
        by: actorOf(req),
        ...(result.ok
          ? { added: result.added.length, removed: result.removed.length, changed: result.changed.length }
          : { issues: result.issues.length }),
      });
      if (!result.ok) return reply.code(422).send({ error: result.error, code: 'plan_invalid', issues: result.issues });
      return result;
    },
  );

  app.get(
    '/api/plan',
    { config: { access: 'viewer' }, schema: { tags, summary: 'The running plan and the last reload' } },
    async () => control.reloader.info(),
  );
}
