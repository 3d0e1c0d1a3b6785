/**
 * The announcements API: viewers list them, operators publish and delete them. Bodies are validated by one strict
 * zod schema (unknown fields refused, sizes capped; the server's zod validator answers refusals in the one error
 * shape, src/web/openapi.ts) and stored as text; pages and feeds escape them when shown.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MaintenanceWindow, Plan } from '../plan/plan-types.js';
import type { AnnouncementStore } from './announcement-store.js';

/** What the announcement routes need. */
export interface AnnouncementRouteDeps {
  announcements: AnnouncementStore;
  plan?: () => { plan: Plan; maintenance: readonly MaintenanceWindow[] };
  now: () => number;
  /** Told after a change, so cached pages of the app are dropped and live pages hear of it. */
  changed: (app: string, at: number) => void;
}

const msField = z.int().min(0).max(8_640_000_000_000_000).describe('ms since epoch');

/** The body of POST /api/announcements. */
export const newAnnouncementSchema = z
  .strictObject({
    app: z.string().min(1).max(100).describe('The app whose status page shows it.'),
    title: z.string().trim().min(1).max(200),
    body: z.string().max(5_000).default(''),
    severity: z.enum(['info', 'warning', 'critical']),
    startsAt: msField.optional().describe('When it starts to show (default now).'),
    endsAt: msField.nullable().optional().describe('When it stops showing (default: until deleted).'),
  })
  .refine((a) => a.endsAt === undefined || a.endsAt === null || a.endsAt > (a.startsAt ?? 0), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });

const listQuerySchema = z.strictObject({ app: z.string().min(1).max(100).optional() });
const idParamsSchema = z.strictObject({ id: z.string().regex(/^[0-9]{1,15}$/, 'an announcement id is a number') });

/** Registers GET/POST /api/announcements and DELETE /api/announcements/:id. */
export function registerAnnouncementRoutes(app: FastifyInstance, deps: AnnouncementRouteDeps): void {
  app.get<{ Querystring: z.infer<typeof listQuerySchema> }>(
    '/api/announcements',
    { config: { access: 'viewer' }, schema: { querystring: listQuerySchema } },
    async (req) => deps.announcements.list({ app: req.query.app }),
  );

  app.post<{ Body: z.infer<typeof newAnnouncementSchema> }>(
    '/api/announcements',
    { config: { access: 'operator' }, schema: { body: newAnnouncementSchema } },
    async (req, reply) => {
      const input = req.body;
      const plan = deps.plan?.().plan;
      if (!plan || !Object.hasOwn(plan.apps, input.app)) {
        const apps = plan ? Object.keys(plan.apps) : [];
        return reply.code(400).send({
          error: `no app "${input.app}" in the plan${apps.length > 0 ? `; apps: ${apps.join(', ')}` : ''}`,
          code: 'unknown_app',
        });
      }
      const now = deps.now();
      const created = await deps.announcements.create({
        app: input.app,
        title: input.title,
        body: input.body,
        severity: input.severity,
        startsAt: input.startsAt ?? now,
        endsAt: input.endsAt ?? null,
        createdAt: now,
        author: author(req),
      });
      deps.changed(created.app, now);
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: z.infer<typeof idParamsSchema> }>(
    '/api/announcements/:id',
    { config: { access: 'operator' }, schema: { params: idParamsSchema } },
    async (req, reply) => {
      const removed = await deps.announcements.remove(Number(req.params.id));
      if (!removed) return reply.code(404).send({ error: `no announcement ${req.params.id}` });
      deps.changed(removed.app, deps.now());
      return reply.code(204).send();
    },
  );
}

function author(req: FastifyRequest): string | null {
  return req.principal?.name ?? null;
}
