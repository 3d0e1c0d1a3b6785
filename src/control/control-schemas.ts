/**
 * The zod schemas of control's routes: one source for validation (fastify-type-provider-zod) and the OpenAPI
 * document (/api/openapi.json). Bodies are strict: an unknown field is refused, not ignored.
 */
import { z } from 'zod';
import { parseDuration } from '../plan/duration.js';
import { OVERRIDE_KINDS } from './override-schema.js';

/** A duration in the plan's words ("30m", "2h", "1d"), at least a second. */
export const durationText = z
  .string()
  .max(32)
  .refine((text) => (parseDuration(text) ?? 0) >= 1_000, { message: 'a duration such as 30m, 2h or 1d' })
  .describe('A duration in the plan\'s words: "30m", "2h", "1d".');

/** Free text a person writes (reasons, notes): stored and shown exactly as given. */
const text = (what: string) =>
  z
    .string()
    .max(2_000)
    .refine((s) => s.trim().length > 0, { message: `${what} must not be empty` });

/** `:app/:name` of a unit or database. */
export const unitParams = z.object({ app: z.string().min(1).max(200), name: z.string().min(1).max(200) });

/** `:name` of a channel. */
export const channelParams = z.object({ name: z.string().min(1).max(200) });

/** `:id` of an override. */
export const overrideIdParams = z.object({ id: z.coerce.number().int().positive() });

/** POST .../pause */
export const pauseBody = z
  .strictObject({ reason: text('reason').optional(), duration: durationText.optional() })
  .nullish();

/** POST .../silence */
export const silenceBody = z.strictObject({ duration: durationText, note: text('note') });

/** POST .../ack */
export const ackBody = z.strictObject({ note: text('note').optional() }).nullish();

/** POST /api/maintenance */
export const maintenanceBody = z.strictObject({
  apps: z.array(z.string().min(1).max(200)).min(1).max(200),
  duration: durationText,
  reason: text('reason'),
  startsAt: z.number().int().nonnegative().optional().describe('When the window opens (ms since epoch); default now.'),
});

/** A body-less action: nothing may be sent but an empty object. */
export const emptyBody = z.strictObject({}).nullish();

/** An override as the API shows it. */
export const overrideSchema = z.object({
  id: z.number().int(),
  kind: z.enum(OVERRIDE_KINDS as [string, ...string[]]),
  app: z.string().nullable(),
  unitId: z.string().nullable(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  startsAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
  clearedAt: z.number().nullable(),
  clearedBy: z.string().nullable(),
});

/** The one error shape. */
export const errorSchema = z.object({
  error: z.string(),
  code: z.string().optional(),
  issues: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** 202 of a queued action. */
export const queuedSchema = z.object({ queued: z.literal(true), unitId: z.string() });
