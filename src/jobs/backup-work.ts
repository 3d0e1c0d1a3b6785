/**
 * What the backup units and the backup CLI commands do, on top of src/backups: take (backup → check → prune), drill
 * the newest backup, read the freshness of proof. One place, so `upkeep backup` does exactly what the schedule does.
 */
import { tmpdir } from 'node:os';
import type { Logger } from 'pino';
import { loadIdentities } from '../backups/age-crypto.js';
import { type BackupCatalog, type BackupRecord, isReadable } from '../backups/backup-record.js';
import { type CopyCheck, checkCopies } from '../backups/check-copies.js';
import { BackupError } from '../backups/errors.js';
import { pruneBackups } from '../backups/prune-backups.js';
import { runBackup } from '../backups/run-backup.js';
import { type BackupTarget, resolveTarget } from '../backups/target.js';
import { drillBackup, type ScratchSource } from '../backups/verify.js';
import type { DatabaseAdapter, TransferProgress } from '../databases/adapter.js';
import type { LocalPostgres, LocalPostgresOptions } from '../databases/local-postgres.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';
import type { Clock } from '../schedule/clock.js';
import type { BackupJobFacts, CopyFacts, DrillJobFacts, FreshnessFacts } from './backup-rules.js';

/** What backup work needs; injected by the composition root (src/app.ts) and by the CLI. */
export interface BackupDeps {
  catalog: BackupCatalog;
  adapterFor(engine: DatabaseBackupPlan['engine']): DatabaseAdapter;
  clock: Clock;
  logger: Logger;
  /** The plan's zone: retention's calendar days and weeks are read in it. */
  timezone: string;
  /** Parent of temporary files and local drill clusters (default: the OS temp dir). */
  tmpDir?: string;
  /** Opens the target of one entry of a plan's `to:` (tests inject fault-injecting targets). */
  targetFor?(to: string, plan: DatabaseBackupPlan): BackupTarget;
  /** Starts a throwaway local PostgreSQL for drills when the plan names no scratch server. */
  startLocalPostgres?(options: LocalPostgresOptions): Promise<LocalPostgres>;
}

/** Per-run options: the unit's deadline and a progress listener. */
export interface WorkOptions {
  signal?: AbortSignal;
  progress?: (p: TransferProgress) => void;
}

/** The outcome of one scheduled backup: the facts its verdict is judged from, and the record. */
export interface TakeResult {
  record: BackupRecord;
  facts: BackupJobFacts;
}

/** The targets of a plan, in its `to:` order (S3 ones with `env`'s AWS_* settings when given, else the process's). */
export function targetsOf(
  plan: DatabaseBackupPlan,
  deps: Pick<BackupDeps, 'targetFor'>,
  env?: Readonly<Record<string, string | undefined>>,
): BackupTarget[] {
  return plan.to.map((to) =>
    deps.targetFor ? deps.targetFor(to, plan) : resolveTarget(to, { baseDir: plan.baseDir, ...(env ? { env } : {}) }),
  );
}

/**
 * The target to read a recorded backup from: its first copy that is healthy and whose file is there, in the plan's
 * order. A copy on a target the plan no longer lists is opened by its recorded description.
 */
export async function copyTargetOf(
  record: BackupRecord,
  plan: DatabaseBackupPlan,
  deps: Pick<BackupDeps, 'targetFor'>,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<BackupTarget> {
  const planned = targetsOf(plan, deps, env);
  if (record.copies.length === 0) return planned[0] as BackupTarget;
  const missing: string[] = [];
  for (const copy of record.copies) {
    if (!isReadable(copy)) {
      missing.push(`${copy.target}: ${copy.state}${copy.reason ? ` (${copy.reason})` : ''}`);
      continue;
    }
    const target =
      planned.find((t) => t.description === copy.target) ??
      resolveTarget(copy.target, { baseDir: plan.baseDir, ...(env ? { env } : {}) });
    try {
      if (await target.stat(record.file)) return target;
      missing.push(`${copy.target}: ${record.file} is not there`);
    } catch (err) {
      missing.push(`${copy.target}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new BackupError(`no copy of backup ${record.id} can be read: ${missing.join('; ')}`, 'target');
}

/** The target of each recorded copy of `record`, in its copies' order (planned ones as the plan opens them). */
export function copyTargets(
  record: BackupRecord,
  plan: DatabaseBackupPlan,
  deps: Pick<BackupDeps, 'targetFor'>,
  env?: Readonly<Record<string, string | undefined>>,
): BackupTarget[] {
  const planned = targetsOf(plan, deps, env);
  return record.copies.map(
    (copy) =>
      planned.find((t) => t.description === copy.target) ??
      resolveTarget(copy.target, { baseDir: plan.baseDir, ...(env ? { env } : {}) }),
  );
}

/** The identities that decrypt a plan's backups: `encrypt.identity`, else UPKEEP_BACKUP_IDENTITY; [] when neither. */
export async function identitiesOf(
  plan: Pick<DatabaseBackupPlan, 'encrypt' | 'baseDir'> | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
  baseDir = process.cwd(),
): Promise<string[]> {
  const value = plan?.encrypt?.identity ?? env.UPKEEP_BACKUP_IDENTITY;
  if (value === undefined || value.trim() === '') return [];
  return loadIdentities(value, plan?.baseDir ?? baseDir);
}

/** Takes a backup now, reads it back, applies retention. Throws BackupError when the backup itself failed. */
export async function takeBackup(
  plan: DatabaseBackupPlan,
  deps: BackupDeps,
  opts: WorkOptions = {},
): Promise<TakeResult> {
  const targets = targetsOf(plan, deps);
  let record = await runBackup({
    adapter: deps.adapterFor(plan.engine),
    url: plan.url,
    source: { app: plan.app, database: plan.database },
    targets,
    recipients: plan.encrypt?.recipients ?? [],
    catalog: deps.catalog,
    clock: deps.clock,
    logger: deps.logger,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(deps.tmpDir ? { tmpDir: deps.tmpDir } : {}),
  });
  const facts: BackupJobFacts = {
    backupId: record.id,
    file: record.file,
    ...(record.sizeBytes !== null ? { sizeBytes: record.sizeBytes } : {}),
    ...(record.plaintextBytes !== null ? { plaintextBytes: record.plaintextBytes } : {}),
    ...(record.durationMs !== null ? { backupMs: record.durationMs } : {}),
    ...(record.counts ? { collections: Object.keys(record.counts).length } : {}),
    check: 'not-run',
  };
  const identities = await identitiesOf(plan);
  let checks: CopyCheck[] = [];
  if (record.recipients.length > 0 && identities.length === 0) {
    facts.check = 'no-identity';
  } else {
    ({ record, checks } = await checkCopies(record, { targets, identities, ...deps, ...opts }));
    facts.check = record.state === 'failed' ? 'failed' : 'passed';
    if (record.state === 'failed' && record.reason) facts.checkError = record.reason;
  }
  // One condition per target only when there are several: a single target's alert reads exactly as it always did.
  if (targets.length > 1) facts.copies = copyFacts(record, checks);
  Object.assign(facts, await pruneEach(plan, targets, deps));
  return { record, facts };
}

/** What became of each copy of a backup, for the backup unit's per-target conditions. */
function copyFacts(record: BackupRecord, checks: readonly CopyCheck[]): CopyFacts[] {
  return record.copies.map((copy) => {
    const check = checks.find((c) => c.target === copy.target);
    if (copy.state === 'failed') return { target: copy.target, state: 'failed', error: copy.reason ?? 'failed' };
    if (check?.result === 'unreadable') return { target: copy.target, state: 'unreadable', error: check.error ?? '' };
    return { target: copy.target, state: copy.state === 'checked' ? 'checked' : 'written' };
  });
}

/** Applies retention on every target, each by its own copies; a target that fails to prune does not stop the others. */
async function pruneEach(
  plan: DatabaseBackupPlan,
  targets: readonly BackupTarget[],
  deps: BackupDeps,
): Promise<Pick<BackupJobFacts, 'pruned' | 'pruneError'>> {
  let pruned = 0;
  const errors: string[] = [];
  for (const target of targets) {
    try {
      const result = await pruneBackups({
        catalog: deps.catalog,
        target,
        source: { app: plan.app, database: plan.database },
        policy: plan.keep,
        timezone: deps.timezone,
        logger: deps.logger,
      });
      pruned += result.removed.length;
    } catch (err) {
      // A file that would not go away costs disk, not data: say so, and try again next run.
      deps.logger.warn({ err, database: plan.id, target: target.description }, 'pruning old backups failed');
      const message = err instanceof Error ? err.message : String(err);
      errors.push(targets.length > 1 ? `${target.description}: ${message}` : message);
    }
  }
  return { pruned, ...(errors.length > 0 ? { pruneError: errors.join('; ') } : {}) };
}

/** When the newest drilled backup was taken, and the oldest recorded one started, for the freshness rule. */
export async function readFreshness(
  catalog: Pick<BackupCatalog, 'list'>,
  source: { app: string; database: string },
): Promise<FreshnessFacts> {
  const records = await catalog.list(source);
  let newestDrilledAt: number | null = null;
  let oldestAt: number | null = null;
  for (const r of records) {
    // "Newer" is the backup's own age: an old backup drilled today does not make the data recoverable to today.
    const at = r.takenAt ?? r.startedAt;
    if (r.state === 'drilled' && (newestDrilledAt === null || at > newestDrilledAt)) newestDrilledAt = at;
    if (oldestAt === null || r.startedAt < oldestAt) oldestAt = r.startedAt;
  }
  return { newestDrilledAt, oldestAt };
}

/** Where drills of `plan` restore to: the plan's scratch server, the source server when asked, or a local cluster. */
export function scratchOf(plan: DatabaseBackupPlan, deps: BackupDeps): ScratchSource {
  if (plan.scratch === 'source') return { serverUrl: plan.url };
  if (plan.scratch !== undefined) return { serverUrl: plan.scratch };
  if (plan.engine === 'mongodb') {
    // Never restore a second copy into the production server unasked: on Atlas' free tier it could fill the quota.
    throw new BackupError(
      'no server to drill on: set backup.scratch to a MongoDB server upkeep may create (and drop) a temporary database on, or `scratch: source` to use the source server (it needs room for a second copy)',
      'config',
    );
  }
  const start = deps.startLocalPostgres;
  if (!start) {
    throw new BackupError(
      'no scratch server for the PostgreSQL drill: set backup.scratch to a server upkeep may create databases on',
      'config',
    );
  }
  return {
    async provide(ctx) {
      const local = await start({ baseDir: deps.tmpDir ?? tmpdir(), logger: deps.logger });
      try {
        const scratch = await deps.adapterFor('postgres').scratch(local.url, ctx);
        return {
          url: scratch.url,
          async drop() {
            await scratch.drop().finally(() => local.stop());
          },
        };
      } catch (err) {
        await local.stop();
        throw err;
      }
    },
  };
}

/** Drills one recorded backup of `plan`; returns the facts its verdict is judged from. */
export async function drillOne(
  record: BackupRecord,
  plan: DatabaseBackupPlan,
  deps: BackupDeps,
  opts: WorkOptions = {},
): Promise<{ record: BackupRecord; facts: DrillJobFacts }> {
  const identities = await identitiesOf(plan);
  const base = { backupId: record.id, ...(record.counts ? { collections: Object.keys(record.counts).length } : {}) };
  if (record.recipients.length > 0 && identities.length === 0) {
    return {
      record,
      facts: {
        ...base,
        drill: 'no-identity',
        reason:
          'set backup.encrypt.identity (the age identity, e.g. ${UPKEEP_BACKUP_IDENTITY}) so upkeep can decrypt it',
      },
    };
  }
  const started = deps.clock.now();
  try {
    const after = await drillBackup(record, {
      adapter: deps.adapterFor(plan.engine),
      scratch: scratchOf(plan, deps),
      target: await copyTargetOf(record, plan, deps),
      identities,
      catalog: deps.catalog,
      clock: deps.clock,
      logger: deps.logger,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(deps.tmpDir ? { tmpDir: deps.tmpDir } : {}),
    });
    const drillMs = deps.clock.now() - started;
    if (after.state === 'drilled') return { record: after, facts: { ...base, drill: 'drilled', drillMs } };
    const mismatch = (after.reason ?? '').startsWith('drill mismatch');
    return {
      record: after,
      facts: { ...base, drill: mismatch ? 'mismatch' : 'damaged', reason: after.reason ?? 'drill failed', drillMs },
    };
  } catch (err) {
    if (err instanceof BackupError && err.reason === 'internal') throw err;
    if (!(err instanceof BackupError)) throw err;
    return { record, facts: { ...base, drill: 'could-not-run', reason: err.message } };
  }
}

/**
 * Drills the newest backup that was taken (a failed one cannot be drilled). With none to drill, the drill unit speaks
 * only of drills: backups that failed to be taken or checked are the backup unit's alert, a backup that failed its
 * drill stays this unit's; how long there has been no proof is the freshness unit's.
 */
export async function drillNewest(
  plan: DatabaseBackupPlan,
  deps: BackupDeps,
  opts: WorkOptions = {},
): Promise<DrillJobFacts> {
  const records = await deps.catalog.list({ app: plan.app, database: plan.database });
  const candidate = records.find((r) => r.state === 'taken' || r.state === 'checked' || r.state === 'drilled');
  if (candidate) return (await drillOne(candidate, plan, deps, opts)).facts;
  if (records.length === 0) return { drill: 'nothing-yet' };
  const failedDrill = records.find((r) => r.state === 'failed' && r.failedIn === 'drill');
  if (failedDrill) {
    return {
      drill: 'no-good-backup',
      backupId: failedDrill.id,
      reason: `backup ${failedDrill.id.slice(0, 8)} failed its drill${failedDrill.reason ? ` (${failedDrill.reason})` : ''} and no newer backup was taken`,
    };
  }
  const newest = records[0] as BackupRecord;
  return { drill: 'nothing-yet', reason: `the newest backup (${newest.id.slice(0, 8)}) is ${newest.state}` };
}
