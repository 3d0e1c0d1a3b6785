/** Overrides through the API: list and clear, pause and resume, silence, acknowledge, ad-hoc maintenance. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDuration } from '../plan/duration.js';
import { actorOf, auditAction } from './audit-port.js';
import type { Control, ControlRouteDeps } from './control-deps.js';
import {
  ackBody,
  emptyBody,
  maintenanceBody,
  overrideIdParams,
  overrideSchema,
  pauseBody,
  silenceBody,
  unitParams,
} from './control-schemas.js';
import type { NewOverride, OverrideKind } from './override-schema.js';

const tags = ['control'];

type Deps = ControlRouteDeps & { control: Control };
type ZodApp = ReturnType<typeof withZod>;

const withZod = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();

/** Registers /api/overrides, /api/units/:app/:name/{pause,resume,silence,ack} and /api/maintenance. */
export function registerOverrideRoutes(root: FastifyInstance, deps: Deps): void {
  const app = withZod(root);
  const h = helpers(deps);
  listAndClear(app, h);
  pauseAndResume(app, h);
  silenceAndAck(app, h);
  adHocMaintenance(app, h);
}

/** What every override route shares: the deps, the unit lookup (404 when absent), a new override's defaults. */
function helpers(deps: Deps) {
  const { control } = deps;
  const { overrides } = control;
  const unitOf = (params: { app: string; name: string }, reply: FastifyReply) => {
    const id = `${params.app}/${params.name}`;
    const unit = control.unit(id);
    if (!unit) void reply.code(404).send({ error: `no unit "${id}" in the running plan` });
    return unit;
  };
  const newOverride = (kind: OverrideKind, fields: Partial<NewOverride> & { author: string; reason: string }) => ({
    kind,
    app: null,
    unitId: null,
    createdAt: deps.now(),
    startsAt: null,
    expiresAt: null,
    ...fields,
  });
  const expiry = (duration: string | undefined) =>
    duration === undefined ? null : deps.now() + (parseDuration(duration) as number);

  return { deps, control, overrides, unitOf, newOverride, expiry };
}

type Helpers = ReturnType<typeof helpers>;

/** The override list and clearing one. */
function listAndClear(app: ZodApp, { deps, overrides }: Helpers): void {
  app.get(
    '/api/overrides',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: 'Active overrides', response: { 200: z.array(overrideSchema) } },
    },
    async () => overrides.active(deps.now()),
  );

  app.delete(
    '/api/overrides/:id',
    { config: { access: 'operator' }, schema: { tags, summary: 'Clear an override', params: overrideIdParams } },
    async (req, reply) => {
      const cleared = await overrides.clear(req.params.id, actorOf(req));
      if (!cleared) return reply.code(404).send({ error: `no active override ${req.params.id}` });
      await auditAction(deps, req, 'override.clear', `override:${cleared.id}`, { kind: cleared.kind });
      return reply.code(204).send();
    },
  );
}

/** Pause and resume a unit. */
function pauseAndResume(app: ZodApp, { deps, overrides, unitOf, newOverride, expiry }: Helpers): void {
  app.post(
    '/api/units/:app/:name/pause',
    { config: { access: 'operator' }, schema: { tags, summary: 'Pause a unit', params: unitParams, body: pauseBody } },
    async (req, reply) => {
      const unit = unitOf(req.params, reply);
      if (!unit) return reply;
      const body = req.body ?? {};
      const o = await overrides.create(
        newOverride('pause', {
          app: unit.app,
          unitId: unit.id,
          author: actorOf(req),
          reason: body.reason ?? 'paused',
          expiresAt: expiry(body.duration),
        }),
      );
      await auditAction(deps, req, 'unit.pause', unit.id, { override: o.id, reason: o.reason, expiresAt: o.expiresAt });
      return reply.code(201).send(o);
    },
  );

  app.post(
    '/api/units/:app/:name/resume',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Resume a paused unit', params: unitParams, body: emptyBody },
    },
    async (req, reply) => {
      const unit = unitOf(req.params, reply);
      if (!unit) return reply;
      const pauses = overrides.active(deps.now()).filter((o) => o.kind === 'pause' && o.unitId === unit.id);
      if (pauses.length === 0) return reply.code(409).send({ error: `${unit.id} is not paused` });
      for (const o of pauses) await overrides.clear(o.id, actorOf(req));
      await auditAction(deps, req, 'unit.resume', unit.id, { overrides: pauses.map((o) => o.id) });
      return { resumed: unit.id, cleared: pauses.map((o) => o.id) };
    },
  );
}

/** Silence and acknowledge a unit. */
function silenceAndAck(app: ZodApp, { deps, overrides, unitOf, newOverride, expiry }: Helpers): void {
  app.post(
    '/api/units/:app/:name/silence',
    {
      config: { access: 'operator' },
      schema: { tags, summary: "Silence a unit's notifications", params: unitParams, body: silenceBody },
    },
    async (req, reply) => {
      const unit = unitOf(req.params, reply);
      if (!unit) return reply;
      const o = await overrides.create(
        newOverride('silence', {
          app: unit.app,
          unitId: unit.id,
          author: actorOf(req),
          reason: req.body.note,
          expiresAt: expiry(req.body.duration),
        }),
      );
      await auditAction(deps, req, 'unit.silence', unit.id, { override: o.id, note: o.reason, expiresAt: o.expiresAt });
      return reply.code(201).send(o);
    },
  );

  app.post(
    '/api/units/:app/:name/ack',
    {
      config: { access: 'operator' },
      schema: { tags, summary: "Acknowledge a unit's alert", params: unitParams, body: ackBody },
    },
    async (req, reply) => {
      const unit = unitOf(req.params, reply);
      if (!unit) return reply;
      const state = (await deps.store.getUnit(unit.id))?.alert.state;
      if (state !== 'firing' && state !== 'pending')
        return reply
          .code(409)
          .send({ error: `nothing to acknowledge: the alert of ${unit.id} is ${state ?? 'unknown'}` });
      const o = await overrides.create(
        newOverride('ack', {
          app: unit.app,
          unitId: unit.id,
          author: actorOf(req),
          reason: req.body?.note ?? 'acknowledged',
        }),
      );
      await auditAction(deps, req, 'unit.ack', unit.id, { override: o.id, note: o.reason });
      return reply.code(201).send(o);
    },
  );
}

/** An ad-hoc maintenance window over apps. */
function adHocMaintenance(app: ZodApp, { deps, control, overrides, newOverride }: Helpers): void {
  app.post(
    '/api/maintenance',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Open an ad-hoc maintenance window', body: maintenanceBody },
    },
    async (req, reply) => {
      const known = new Set(control.apps());
      const unknown = req.body.apps.filter((a) => !known.has(a));
      if (unknown.length > 0)
        return reply.code(400).send({
          error: `no app ${unknown.map((a) => `"${a}"`).join(', ')} in the running plan`,
          code: 'invalid_request',
          issues: unknown.map((a) => ({ in: 'body', path: '/apps', message: `unknown app "${a}"` })),
        });
      const startsAt = req.body.startsAt ?? deps.now();
      const expiresAt = startsAt + (parseDuration(req.body.duration) as number);
      const created = [];
      for (const name of [...new Set(req.body.apps)]) {
        created.push(
          await overrides.create(
            newOverride('maintenance', {
              app: name,
              author: actorOf(req),
              reason: req.body.reason,
              startsAt,
              expiresAt,
            }),
          ),
        );
      }
      await auditAction(deps, req, 'maintenance.open', req.body.apps.join(','), {
        overrides: created.map((o) => o.id),
        reason: req.body.reason,
        startsAt,
        expiresAt,
      });
      return reply.code(201).send(created);
    },
  );
}
