/**
 * `databases:` → backup plans and their units (`app/db.backup`, `app/db.drill`, `app/db.freshness`). Pure apart
 * from reading the plan's positions for errors; connection strings stay in the plans and never reach a unit's target.
 */
import { dirname, resolve } from 'node:path';
import { BackupError } from '../backups/errors.js';
import { targetDescription } from '../backups/target-location.js';
import { parseSchedule, schedulePeriodMs } from '../schedule/schedule-spec.js';
import { maskUrls } from '../shared/mask.js';
import { formatDuration, parseDuration } from './duration.js';
import type { PlanIssue } from './plan-error.js';
import type { PlanInput } from './plan-schema.js';
import type { CheckUnit, ScheduleSpec } from './units.js';
import type { YamlSource } from './yaml-source.js';

/** How many backups to keep (restic's rules, OR-ed). */
export interface BackupKeep {
  last?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

/** One database's backup, as the job kinds and the CLI use it. Holds secrets (`url`, `identity`): never log it. */
export interface DatabaseBackupPlan {
  /** `app/db`: how `upkeep backup` and `upkeep backups` address it. */
  id: string;
  app: string;
  database: string;
  engine: 'mongodb' | 'postgres';
  /** The connection string (secret). */
  url: string;
  /** The connection string with its password replaced, for tables. */
  urlRedacted: string;
  schedule: ScheduleSpec;
  /** Deadline of one backup or drill run. */
  timeoutMs: number;
  keep: BackupKeep;
  /** age recipients, and the identity (secret) that decrypts for checks and drills. */
  encrypt?: { recipients: string[]; identity?: string };
  /** The plan's `to:` as written (a single string is a list of one), and the directory relative paths are read from. */
  to: string[];
  baseDir: string;
  /** When restore drills run; null when `verify: false`. */
  verify: ScheduleSpec | null;
  /**
   * A server for drills (secret: may hold a password), or `source` for the source server itself; unset: a local
   * PostgreSQL for PostgreSQL, none for MongoDB (a drill would otherwise write a second copy into production).
   */
  scratch?: string;
  /** Alert when no drilled backup is newer than this; null when drills are off. */
  alertAfterMs: number | null;
}

/** The job kinds' names, as units carry them. */
export const JOB_KIND = { backup: 'backup', drill: 'drill', freshness: 'backup-freshness' } as const;

/** Unit name suffixes after the database name: `main.backup`, `main.drill`, `main.freshness`. */
export const JOB_SUFFIXES = ['backup', 'drill', 'freshness'] as const;

/** Defaults: a backup may take long (2h, or half its period when that is shorter); drills weekly. */
export const DEFAULT_JOB_TIMEOUT_MS = 2 * 3_600_000;
export const DEFAULT_VERIFY = 'weekly';
/** Only backups kept this many by default: the newest 3, a week of dailies, a month of weeklies, a year of months. */
export const DEFAULT_KEEP: BackupKeep = { last: 3, daily: 7, weekly: 4, monthly: 12 };
const FRESHNESS_EVERY_MS = 3_600_000;
const FRESHNESS_TIMEOUT_MS = 60_000;
const DAY_MS = 86_400_000;

type Ctx = { timezone: string; source: YamlSource; issues: PlanIssue[]; file: string };

/** The default of `alertAfter`: two verify periods and a day, so one missed or failed drill does not alert. */
export function defaultAlertAfterMs(verifyPeriodMs: number): number {
  return 2 * verifyPeriodMs + DAY_MS;
}

/** Validates every `databases.<db>.backup` of the plan; returns the backup plans or pushes issues. */
export function compileBackupPlans(input: PlanInput, ctx: Ctx): DatabaseBackupPlan[] {
  const plans: DatabaseBackupPlan[] = [];
  for (const [app, appInput] of Object.entries(input.apps)) {
    const checkNames = new Set(Object.keys(appInput.checks ?? {}).map((n) => n.toLowerCase()));
    for (const [database, db] of Object.entries(appInput.databases ?? {})) {
      if (!db.backup) continue;
      const path = ['apps', app, 'databases', database];
      for (const suffix of JOB_SUFFIXES) {
        if (checkNames.has(`${database}.${suffix}`.toLowerCase())) {
          ctx.issues.push(
            ctx.source.issueAt(
              ['apps', app, 'checks', `${database}.${suffix}`],
              `check "${database}.${suffix}" clashes with the backup unit of database "${database}" (${app}/${database}.${suffix})`,
              { expected: 'another check name' },
              'key',
            ),
          );
        }
      }
      const plan = compileOne(app, database, db as DatabaseInput, path, ctx);
      if (plan) plans.push(plan);
    }
  }
  return plans;
}

type DatabaseInput = NonNullable<NonNullable<PlanInput['apps'][string]['databases']>[string]>;

function compileOne(
  app: string,
  database: string,
  db: DatabaseInput,
  path: string[],
  ctx: Ctx,
): DatabaseBackupPlan | undefined {
  const backup = db.backup as NonNullable<DatabaseInput['backup']>;
  const bpath = [...path, 'backup'];
  const engine = db.mongodb !== undefined ? 'mongodb' : 'postgres';
  const url = (db.mongodb ?? db.postgres) as string;
  const before = ctx.issues.length;
  // The source's own URL is checked by the adapter's preflight at run time (it can say what is wrong with it).
  if (backup.scratch !== undefined && backup.scratch !== 'source' && !urlFits(engine, backup.scratch)) {
    ctx.issues.push(
      ctx.source.issueAt(
        [...bpath, 'scratch'],
        `the drill server must be ${engine === 'mongodb' ? 'MongoDB' : 'PostgreSQL'} too`,
        {
          expected: `${engine === 'mongodb' ? 'mongodb://host:27017' : 'postgres://user@host:5432/postgres'}, or "source" for the source server`,
        },
      ),
    );
  }
  const schedule = parseSchedule(backup.schedule, ctx.timezone);
  const verify = backup.verify === false ? null : parseSchedule(backup.verify ?? DEFAULT_VERIFY, ctx.timezone);
  const shortest = Math.min(schedulePeriodMs(schedule), verify ? schedulePeriodMs(verify) : Number.POSITIVE_INFINITY);
  let timeoutMs = Math.min(DEFAULT_JOB_TIMEOUT_MS, Math.floor(shortest / 2));
  if (backup.timeout !== undefined) {
    timeoutMs = parseDuration(backup.timeout) as number;
    if (timeoutMs <= 0 || timeoutMs >= shortest) {
      ctx.issues.push(
        ctx.source.issueAt(
          [...bpath, 'timeout'],
          `the timeout must be shorter than the time between backups or drills (${formatDuration(shortest)})`,
          { expected: `a duration above 0 and below ${formatDuration(shortest)}` },
        ),
      );
    }
  }
  let alertAfterMs: number | null = null;
  if (verify) {
    const period = schedulePeriodMs(verify);
    alertAfterMs = defaultAlertAfterMs(period);
    if (backup.alertAfter !== undefined) {
      alertAfterMs = parseDuration(backup.alertAfter) as number;
      if (alertAfterMs <= period) {
        ctx.issues.push(
          ctx.source.issueAt(
            [...bpath, 'alertAfter'],
            `alertAfter must be longer than the time between drills (${formatDuration(period)}), or it alerts between every two drills`,
            { expected: `more than ${formatDuration(period)}, e.g. ${formatDuration(defaultAlertAfterMs(period))}` },
          ),
        );
      }
    }
  } else if (backup.alertAfter !== undefined) {
    ctx.issues.push(
      ctx.source.issueAt(
        [...bpath, 'alertAfter'],
        'alertAfter counts from the last restore drill, but verify is false',
        {
          expected: 'a verify schedule (e.g. verify: weekly), or no alertAfter',
        },
      ),
    );
  }
  const to = compileTargets(backup.to, [...bpath, 'to'], dirname(resolve(ctx.file)), ctx);
  if (ctx.issues.length > before) return undefined;
  return {
    id: `${app}/${database}`,
    app,
    database,
    engine,
    url,
    urlRedacted: maskUrls(url),
    schedule,
    timeoutMs,
    keep: backup.keep ?? DEFAULT_KEEP,
    ...(backup.encrypt ? { encrypt: backup.encrypt } : {}),
    to,
    baseDir: dirname(resolve(ctx.file)),
    verify,
    ...(backup.scratch !== undefined ? { scratch: backup.scratch } : {}),
    alertAfterMs,
  };
}

/** `to:` as a list; two entries naming the same place (after resolving relative paths) are an issue at the second. */
function compileTargets(to: string | string[], path: (string | number)[], baseDir: string, ctx: Ctx): string[] {
  const list = typeof to === 'string' ? [to] : to;
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    let key: string;
    try {
      key = targetDescription(entry, baseDir);
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      ctx.issues.push(ctx.source.issueAt(typeof to === 'string' ? path : [...path, index], error.message));
      return;
    }
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      return;
    }
    ctx.issues.push(
      ctx.source.issueAt(
        [...path, index],
        `backup location "${entry}" is listed twice in backup.to (entry ${first + 1} already names ${key})`,
        { expected: 'each location once: remove the duplicate' },
      ),
    );
  });
  return list;
}

function urlFits(engine: 'mongodb' | 'postgres', url: string): boolean {
  return engine === 'mongodb' ? /^mongodb(\+srv)?:\/\//i.test(url) : /^postgres(ql)?:\/\//i.test(url);
}

/** The units of every backup plan: the backup job, the drill job and the freshness check (when drills are on). */
export function compileBackupUnits(plans: readonly DatabaseBackupPlan[]): CheckUnit[] {
  const units: CheckUnit[] = [];
  for (const plan of plans) {
    const unit = (suffix: (typeof JOB_SUFFIXES)[number], kind: string, schedule: ScheduleSpec, timeoutMs: number) =>
      units.push({
        id: `${plan.id}.${suffix}`,
        app: plan.app,
        name: `${plan.database}.${suffix}`,
        type: 'check',
        kind,
        spec: plan,
        schedule,
        timeoutMs,
        // One failed backup or drill is already the news: there is no second try before tomorrow.
        policy: { failureThreshold: 1, successThreshold: 1 },
        target: describeBackup(plan, suffix),
      });
    unit('backup', JOB_KIND.backup, plan.schedule, plan.timeoutMs);
    if (plan.verify) {
      unit('drill', JOB_KIND.drill, plan.verify, plan.timeoutMs);
      unit(
        'freshness',
        JOB_KIND.freshness,
        { kind: 'every', everyMs: FRESHNESS_EVERY_MS, text: 'every 1h' },
        FRESHNESS_TIMEOUT_MS,
      );
    }
  }
  return units;
}

/** A unit's target line: engine, redacted source and where backups go. Never a secret. */
export function describeBackup(plan: DatabaseBackupPlan, suffix: (typeof JOB_SUFFIXES)[number]): string {
  const source = `${plan.engine} ${plan.urlRedacted}`;
  if (suffix === 'backup') return `${source} → ${plan.to.join(', ')}`;
  if (suffix === 'drill') return `restore drill of ${plan.to.join(', ')} (${plan.engine})`;
  return `a drilled backup of ${plan.database} within ${formatDuration(plan.alertAfterMs ?? 0)}`;
}
