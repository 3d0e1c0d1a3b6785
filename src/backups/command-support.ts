/** What the backup commands share: opening the catalog, finding a database or a backup, printing a record. */
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { CliContext, GlobalOptions } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { readPlan } from '../cli/plan-input.js';
import { formatBytes } from '../jobs/backup-rules.js';
import { createBackupDeps } from '../jobs/backup-services.js';
import type { BackupDeps } from '../jobs/backup-work.js';
import { AmbiguousUnitError, resolveUnit, UnknownUnitError } from '../plan/address.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';
import { DEFAULT_KEEP } from '../plan/compile-databases.js';
import { formatDuration } from '../plan/duration.js';
import type { LoadedPlan } from '../plan/load-plan.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { systemClock } from '../schedule/clock.js';
import type { BackupRecord } from './backup-record.js';
import type { BackupStore } from './backup-store.js';
import { BackupError } from './errors.js';

/** An open store with the backup services on it; close() when done. */
export interface BackupSession {
  store: KyselyStore;
  deps: BackupDeps & { catalog: BackupStore };
  close(): Promise<void>;
}

/** Opens (and migrates) upkeep's store and builds the backup services on it. */
export async function openBackupSession(global: GlobalOptions, timezone: string): Promise<BackupSession> {
  const logger = pino({ level: 'silent' });
  const store = createStore({ dataDir: global.dataDir, databaseUrl: global.databaseUrl, logger });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  const deps = createBackupDeps({ database: store.database, clock: systemClock, logger, timezone });
  return { store, deps, close: () => store.close() };
}

/** The plan, when there is a plan file (the listing and verify commands work without one). */
export async function readPlanIfAny(global: GlobalOptions, ctx: CliContext): Promise<LoadedPlan | undefined> {
  return existsSync(global.plan) ? readPlan(global.plan, ctx) : undefined;
}

/** The database an address means (`app/db` or `db`), among those with a `backup:` in the plan. */
export function resolveDatabase(loaded: LoadedPlan, address: string): DatabaseBackupPlan {
  const candidates = loaded.backups.map((plan) => ({ id: plan.id, app: plan.app, name: plan.database, plan }));
  if (candidates.length === 0) {
    throw new UsageError('the plan has no database with a `backup:` section (see README, Backups)');
  }
  try {
    return resolveUnit(candidates, address.replace(/\.(backup|drill|freshness)$/, '')).plan;
  } catch (err) {
    if (err instanceof UnknownUnitError || err instanceof AmbiguousUnitError) {
      const known = candidates.map((c) => c.id).join(', ');
      throw new UsageError(
        `${err instanceof UnknownUnitError ? `no database "${address}" with backups in the plan` : err.message}` +
          `${err instanceof UnknownUnitError && err.suggestion ? `; did you mean "${err.suggestion}"?` : ''} (databases with backups: ${known})`,
      );
    }
    throw err;
  }
}

/** The catalogued backup `ref` names (an id, a unique id prefix of at least 4 characters, or the archive's file name). */
export async function findBackup(catalog: BackupStore, ref: string): Promise<BackupRecord> {
  if (ref.trim().length < 4) throw new UsageError('name a backup by its id (at least 4 characters) or file name');
  const found = await catalog.find(ref.trim());
  if (found.length === 0) {
    throw new UsageError(
      `no backup "${ref}" in the catalog (list them with \`upkeep backups <db>\`; to read an archive without the catalog, give its path, file: URL or s3:// URL)`,
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `"${ref}" matches ${found.length} backups: ${found.map((b) => b.id).join(', ')}; give more of the id`,
    );
  }
  return found[0] as BackupRecord;
}

/**
 * The plan entry a recorded backup belongs to. When the plan no longer has it, a stand-in from the record: its
 * target as recorded, and the identity from UPKEEP_BACKUP_IDENTITY (no source URL: no MongoDB drill without a plan).
 */
export function planForRecord(
  record: BackupRecord,
  loaded: LoadedPlan | undefined,
  ctx: CliContext,
): DatabaseBackupPlan {
  const own = loaded?.backups.find((p) => p.app === record.app && p.database === record.database);
  if (own) return own;
  const identity = ctx.env.UPKEEP_BACKUP_IDENTITY;
  return {
    id: `${record.app}/${record.database}`,
    app: record.app,
    database: record.database,
    engine: record.engine,
    url: '',
    urlRedacted: '',
    schedule: { kind: 'every', everyMs: 86_400_000, text: 'every 1d' },
    timeoutMs: 2 * 3_600_000,
    keep: DEFAULT_KEEP,
    ...(identity ? { encrypt: { recipients: [], identity } } : {}),
    to: record.copies.length > 0 ? record.copies.map((c) => c.target) : [record.target],
    baseDir: ctx.cwd,
    verify: null,
    alertAfterMs: null,
  };
}

/** An AbortSignal that fires when the user presses Ctrl-C (the pipeline then removes its partial file). */
export function stopSignal(ctx: CliContext): AbortSignal {
  const controller = new AbortController();
  void ctx.stopSignal.then((sig) => controller.abort(new Error(`stopped by ${sig}`)));
  return controller.signal;
}

/** Exit code of a backup failure: the plan or upkeep itself is 2, everything the backup met is 1. */
export function exitCodeFor(err: BackupError): number {
  return err.reason === 'config' || err.reason === 'internal' || err.reason === 'not-a-backup' ? 2 : 1;
}

/** A record as JSON for `--json`: everything the catalog holds (it holds no secret). */
export function recordJson(record: BackupRecord): Record<string, unknown> {
  return { ...record };
}

/** A record for people: the key facts, then counts per collection/table. */
export function describeRecord(record: BackupRecord): string {
  const lines = [
    `backup   ${record.id}`,
    `database ${record.app}/${record.database} (${record.engine}${record.server ? `, ${record.server}` : ''})`,
    `state    ${record.state}${record.reason ? ` — ${record.reason}` : ''}`,
    `file     ${record.target.replace(/\/+$/, '')}/${record.file}`,
    `started  ${new Date(record.startedAt).toISOString()}`,
  ];
  // Several targets: where each copy is, and what became of it.
  if (record.copies.length > 1) {
    lines.push('copies');
    for (const c of record.copies) lines.push(`  ${c.target} ${c.state}${c.reason ? ` — ${c.reason}` : ''}`);
  }
  if (record.sizeBytes !== null)
    lines.push(
      `size     ${formatBytes(record.sizeBytes)} stored, ${formatBytes(record.plaintextBytes ?? 0)} dumped${record.durationMs !== null ? ` in ${formatDuration(record.durationMs)}` : ''}`,
    );
  if (record.recipients.length > 0) lines.push(`age      encrypted to ${record.recipients.join(', ')}`);
  else lines.push('age      not encrypted');
  if (record.plaintextSha256) lines.push(`sha256   plaintext ${record.plaintextSha256}`);
  if (record.ciphertextSha256) lines.push(`         archive   ${record.ciphertextSha256}`);
  const counts = Object.entries(record.counts ?? {});
  if (counts.length > 0) {
    const width = Math.max(...counts.map(([name]) => name.length));
    lines.push('counts');
    for (const [name, n] of counts) lines.push(`  ${name.padEnd(width)}  ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Turns errors the backup commands expect into exit codes with a message; rethrows the rest. */
export function reportBackupError(err: unknown, command: string, ctx: CliContext): number {
  if (err instanceof BackupError) {
    ctx.stderr.write(`upkeep ${command}: ${err.message}\n`);
    return exitCodeFor(err);
  }
  throw err;
}
