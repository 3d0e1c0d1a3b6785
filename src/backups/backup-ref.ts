/**
 * What `upkeep verify` and `upkeep restore` are pointed at: a catalog id (or file name), or the archive file itself by
 * path, `file:` URL or `s3://bucket/key`. A file the catalog does not know is read from the file alone, with the
 * identity from the plan or UPKEEP_BACKUP_IDENTITY: that is how a backup is recovered on a new machine.
 */
import type { CliContext } from '../cli/command.js';
import type { AdapterContext } from '../databases/adapter.js';
import { copyTargetOf, identitiesOf } from '../jobs/backup-work.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';
import type { LoadedPlan } from '../plan/load-plan.js';
import { readArchiveFile } from './archive-file.js';
import { locateArchive, looksLikeFile } from './archive-location.js';
import { parseArchiveName } from './archive-name.js';
import type { BackupRecord } from './backup-record.js';
import { type BackupSession, findBackup, planForRecord } from './command-support.js';
import type { BackupTarget } from './target.js';

/** A backup to verify or restore, with where to read it and the identities that open it. */
export interface ResolvedBackup {
  record: BackupRecord;
  target: BackupTarget;
  /** Secrets: used, never shown. */
  identities: string[];
  plan: DatabaseBackupPlan;
  /**
   * True when the record was read from the file alone: it is not in the catalog, and the file was already read through
   * once (so it is known whole, and its counts come from the file).
   */
  fromFile: boolean;
  /** The file for people, when given as one. */
  shown?: string;
}

/** Resolves `ref` to a backup; a file is read through here when the catalog does not know it. */
export async function resolveBackup(
  ref: string,
  session: BackupSession,
  loaded: LoadedPlan | undefined,
  ctx: CliContext,
  adapterCtx: AdapterContext,
): Promise<ResolvedBackup> {
  const catalog = session.deps.catalog;
  if (!(await looksLikeFile(ref, ctx.cwd))) {
    const record = await findBackup(catalog, ref);
    const plan = planForRecord(record, loaded, ctx);
    // The first healthy copy that is there, in the plan's order; a record the plan no longer has keeps its targets as
    // recorded (planForRecord), opened with this shell's AWS_* settings for S3.
    const target = await copyTargetOf(record, plan, session.deps, ctx.env);
    return { record, target, identities: await identitiesOf(plan, ctx.env, ctx.cwd), plan, fromFile: false };
  }
  const location = await locateArchive(ref, { cwd: ctx.cwd, env: ctx.env });
  const here = location.target.description;
  const known = (await catalog.find(location.name)).find(
    (r) => r.target === here || r.copies.some((c) => c.target === here),
  );
  if (known) {
    const plan = planForRecord(known, loaded, ctx);
    const identities = await identitiesOf(plan, ctx.env, ctx.cwd);
    return { record: known, target: location.target, identities, plan, fromFile: false, shown: location.shown };
  }
  const facts = parseArchiveName(location.name);
  const own = loaded?.backups.find((p) => p.app === facts?.app && p.database === facts?.database);
  const identities = await identitiesOf(own, ctx.env, ctx.cwd);
  const record = await readArchiveFile({
    target: location.target,
    name: location.name,
    identities,
    adapterFor: (engine) => session.deps.adapterFor(engine),
    ctx: adapterCtx,
    now: Date.now(),
  });
  const plan = planForRecord(record, loaded, ctx);
  return { record, target: location.target, identities, plan, fromFile: true, shown: location.shown };
}
