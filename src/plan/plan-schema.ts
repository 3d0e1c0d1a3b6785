/** The zod schemas of upkeep.yml. One place: the loader, the JSON Schema and the API all derive from these. */
import { z } from 'zod';
import { BackupError } from '../backups/errors.js';
import { parseS3Url } from '../backups/s3-config.js';
import type { CheckKind } from '../checks/kind.js';
import { channelEntrySchema } from '../notify/channels/channel-schema.js';
import { channelKinds } from '../notify/channels/registry.js';
import { durationField, nameKey, scheduleField } from './plan-fields.js';

export { DURATION_FORMS, durationField, NAME_RE, nameKey, scheduleField } from './plan-fields.js';

const alertSchema = z
  .strictObject({
    failures: z.int().min(1).default(2).describe('Consecutive failing runs before the alert fires (default 2).'),
    successes: z.int().min(1).default(1).describe('Consecutive passing runs before it resolves (default 1).'),
  })
  .describe('How many runs in a row change the alert state.');

// `false` turns a default off for one check (or for every check under `alerts:`).
const renotifyField = z
  .union([durationField, z.literal(false)])
  .describe('Remind while the alert keeps firing, every this long (default: no reminders); false turns it off.');
const flappingField = z
  .union([
    z.strictObject({
      changes: z.int().min(1).default(4).describe('State changes allowed within the window (default 4).'),
      within: durationField.default('1h').describe('The window (default 1h).'),
    }),
    z.literal(false),
  ])
  .describe(
    'Flapping damping: more changes than `changes` within `within` send one "flapping" message, then hold until the check has been stable for `within`. Default on (4 within 1h); false turns it off.',
  );

/** Notification options a check may set, and `alerts:` sets for every check. */
export const notifyOptionsShape = {
  renotify: renotifyField.optional(),
  recovery: z.boolean().optional().describe('Send a message when the alert resolves (default true).'),
  flapping: flappingField.optional(),
};

/** The keys every check entry may have besides its kind's own keys. */
export const checkCommonShape = {
  every: durationField.optional().describe('How often the check runs (default 1m). Use `schedule` for clock times.'),
  schedule: scheduleField.optional().describe('When the check runs, instead of `every`.'),
  timeout: durationField.optional().describe('Deadline for one run (default 10s); must be shorter than the period.'),
  alert: alertSchema.optional(),
  description: z.string().optional().describe('What this check is for, shown on the dashboard.'),
  notify: z
    .array(nameKey)
    .optional()
    .describe('Channels (from `notify`) for this check instead of the severity routes; [] sends nothing.'),
  ...notifyOptionsShape,
};

/** The keys of checkCommonShape, to tell them apart from a kind's keys. */
export const CHECK_COMMON_KEYS = Object.keys(checkCommonShape);

/** A check entry of one kind: the common keys plus the kind's keys, strictly. */
export function checkEntrySchema(kind: CheckKind<unknown>): z.ZodType {
  // Built once per kind: zod compiles each schema instance on first use, which cost ~0.15 ms per check entry.
  let entry = entrySchemas.get(kind);
  if (entry === undefined) {
    entry = buildEntrySchema(kind);
    entrySchemas.set(kind, entry);
  }
  return entry;
}

const entrySchemas = new WeakMap<CheckKind<unknown>, z.ZodType>();

function buildEntrySchema(kind: CheckKind<unknown>): z.ZodType {
  const schema = kind.schema as z.ZodType;
  if (schema instanceof z.ZodObject) {
    return z.strictObject({ ...checkCommonShape, ...schema.shape }).describe(kind.description);
  }
  // A kind whose schema is not a plain object still gets the common keys checked alongside it.
  return z.intersection(z.looseObject(checkCommonShape), schema).describe(kind.description);
}

const keepSchema = z
  .strictObject({
    last: z.int().min(0).optional().describe('The newest N backups, whatever their dates.'),
    daily: z.int().min(0).optional(),
    weekly: z.int().min(0).optional(),
    monthly: z.int().min(0).optional(),
    yearly: z.int().min(0).optional(),
  })
  .describe(
    'How many backups to keep: the newest `last`, and the newest of each of the last N days/ISO weeks/months/years that have one (rules add up; only verified backups count, and the newest verified one is never pruned). Default { last: 3, daily: 7, weekly: 4, monthly: 12 }.',
  );

/** One backup location (`to:` or an entry of its list). */
const targetField = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    // An S3 location is checked when the plan loads (not first at backup time), so credentials written into it
    // are refused before they can reach a unit's description, the store or the logs.
    if (!/^s3:/i.test(value)) return;
    try {
      parseS3Url(value, {});
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^backup\.to:? ?/, '') });
    }
  })
  .describe('A backup location: file:<directory> or s3://<bucket>/<prefix>.');

const backupSchema = z.strictObject({
  schedule: scheduleField.describe('When to back up.'),
  keep: keepSchema.optional(),
  encrypt: z
    .strictObject({
      recipients: z.array(z.string().min(1)).min(1).describe('age recipients (age1...).'),
      identity: z
        .string()
        .min(1)
        .optional()
        .describe(
          'The age identity (AGE-SECRET-KEY-1...) that decrypts backups for checks and drills: ${UPKEEP_BACKUP_IDENTITY}.',
        ),
    })
    .optional(),
  to: z
    .union([targetField, z.array(targetField).min(1)])
    .describe(
      'Where backups go: file:./backups (relative to the plan), or s3://bucket/prefix (an S3-compatible service; credentials, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL). A list writes every backup to each location (e.g. [file:./backups, s3://bucket/prefix]); each copy is checked and pruned on its own.',
    ),
  verify: z
    .union([scheduleField, z.literal(false)])
    .optional()
    .describe('When to run a restore drill of the newest backup (default weekly); false: never.'),
  scratch: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A server for restore drills (a temporary database is made and dropped there), or `source` for the source server itself. Default: PostgreSQL, a throwaway local server (initdb); MongoDB has no default (set one, or `source`).',
    ),
  timeout: durationField.optional().describe('Deadline for one backup or drill (default 2h).'),
  alertAfter: durationField
    .optional()
    .describe('Alert when no drilled backup is newer than this (default twice the verify period plus a day).'),
});

const cleanupSchema = z
  .strictObject({
    collection: z.string().min(1).optional().describe('MongoDB collection.'),
    table: z.string().min(1).optional().describe('PostgreSQL table.'),
    field: z.string().min(1).describe('The timestamp field or column.'),
    olderThan: durationField.describe('Delete rows/documents older than this.'),
    schedule: scheduleField.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.collection === undefined) === (value.table === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "collection" (MongoDB) or "table" (PostgreSQL)' });
    }
  });

const databaseSchema = z
  .strictObject({
    mongodb: z.string().min(1).optional().describe('MongoDB connection string, e.g. ${MONGODB_URI}.'),
    postgres: z.string().min(1).optional().describe('PostgreSQL connection string, e.g. ${DATABASE_URL}.'),
    backup: backupSchema.optional(),
    stats: scheduleField.optional().describe('When to record database statistics.'),
    indexes: scheduleField.optional().describe('When to review indexes.'),
    cleanup: z.array(cleanupSchema).optional().describe('Old data to delete on a schedule.'),
  })
  .superRefine((value, ctx) => {
    if ((value.mongodb === undefined) === (value.postgres === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a database needs exactly one of "mongodb" or "postgres"' });
    }
  });

const repoSchema = z.strictObject({
  path: z.string().min(1).describe('Path to the repository checkout, relative to the plan.'),
  audit: scheduleField.optional().describe('When to audit dependencies.'),
  secretScan: scheduleField.optional().describe('When to scan for committed secrets.'),
});

const secretSchema = z.strictObject({
  rotate: durationField.describe('Maximum age before the secret must be rotated.'),
  env: z.string().min(1).optional().describe('The .env file that holds it.'),
  verify: z.string().min(1).optional().describe('A check of this app to run after rotating.'),
});

/** `status:` of an app: its public status page at /status/<app> (src/status/), opt-in, showing only what it names. */
const statusPageSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(120).describe('The page title, e.g. "Shop".'),
    show: z
      .record(nameKey, z.string().trim().min(1).max(80))
      .describe(
        'The units shown, each under its public name: { api-health: "API", main.backup: "Backups" }. Only these appear on the page, its feed and badges; never a target or an internal name.',
      ),
  })
  .describe('A public status page at /status/<app>: a title and which units it shows under what public names.');

/** One app: its checks and (compiled in later issues) databases, repos, secrets and checklists. */
export function appSchema(checkEntry: z.ZodType) {
  return z.strictObject({
    description: z.string().optional().describe('What the app is.'),
    checks: z.record(nameKey, checkEntry).optional().describe('Recurring probes with a verdict.'),
    databases: z.record(nameKey, databaseSchema).optional().describe('Databases to back up and maintain.'),
    repos: z.record(nameKey, repoSchema).optional().describe('Code repositories to audit.'),
    secrets: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }),
        secretSchema,
      )
      .optional()
      .describe('Secrets to rotate.'),
    checklists: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .optional()
      .describe('Manual tasks by schedule: weekly: [ "Review user feedback" ].'),
    status: statusPageSchema.optional(),
  });
}

// Each entry is checked by the schema of the channel kind its `type` names (src/notify/channels/registry.ts).
const channelSchema = channelEntrySchema(channelKinds);

const routeList = z.array(nameKey).describe('Channel names from `notify`.');

const maintenanceSchema = z
  .strictObject({
    apps: z.array(z.string()).min(1).optional().describe('Apps affected (default all).'),
    schedule: scheduleField.optional().describe('Recurring window start, in the plan zone.'),
    duration: durationField.optional().describe('Length of a recurring window.'),
    from: z.string().optional().describe('One-off window start: ISO date-time (without offset: plan zone).'),
    to: z.string().optional().describe('One-off window end.'),
    description: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    const recurring = value.schedule !== undefined || value.duration !== undefined;
    const once = value.from !== undefined || value.to !== undefined;
    if (recurring === once || (recurring && (value.schedule === undefined || value.duration === undefined))) {
      ctx.addIssue({
        code: 'custom',
        message: 'a maintenance window is either { schedule, duration } or { from, to }',
      });
    } else if (once && (value.from === undefined || value.to === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a one-off maintenance window needs both "from" and "to"' });
    }
  })
  .describe('A period in which alerts are recorded but not sent.');

const historySchema = z
  .strictObject({
    raw: durationField.optional().describe('Keep raw results this long (default 7d).'),
    minute: durationField.optional().describe('Keep per-minute rollups this long (default 2d).'),
    hour: durationField.optional().describe('Keep per-hour rollups this long (default 90d).'),
    day: durationField.optional().describe('Keep per-day rollups this long (default 730d).'),
  })
  .describe('How long results are kept.');

/** The whole plan, with `checkEntry` deciding how check entries are validated. */
export function planSchema(checkEntry: z.ZodType) {
  return z.strictObject({
    version: z.literal(1).describe('Format version: 1.'),
    timezone: z.string().default('UTC').describe('IANA time zone schedules are read in (default UTC).'),
    notify: z.record(nameKey, channelSchema).optional().describe('Notification channels by name.'),
    routes: z
      .strictObject({ critical: routeList.optional(), warning: routeList.optional(), info: routeList.optional() })
      .optional()
      .describe('Which channels get alerts of each severity.'),
    apps: z.record(nameKey, appSchema(checkEntry)).describe('The maintained applications by name.'),
    alerts: z
      .strictObject(notifyOptionsShape)
      .optional()
      .describe('Notification defaults for every check: renotify, recovery, flapping.'),
    maintenance: z.array(maintenanceSchema).optional(),
    history: historySchema.optional(),
    metrics: z
      .strictObject({
        public: z
          .boolean()
          .default(false)
          .describe('Serve /metrics without a token (default false: a viewer token is needed).'),
      })
      .optional()
      .describe('Prometheus metrics at /metrics.'),
    secretVars: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
          message: 'expected an environment variable name such as STRIPE_ID, written without $ and braces',
        }),
      )
      .optional()
      .describe(
        'Environment variables whose values are masked wherever they would be shown or stored, beyond those secret by name (KEY, TOKEN, PASS...) or by place (docs/secrets.md).',
      ),
  });
}

/** The validated plan as zod produces it, with check entries still raw (load-plan types them). */
export type PlanInput = z.output<ReturnType<typeof planSchema>>;
