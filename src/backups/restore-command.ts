/**
 * `upkeep restore <backup> --to <url>`: loads a backup into a database. Refuses a database that is not empty unless
 * --force, which replaces each table / collection the backup holds (others stay); --dry-run lists what would be
 * restored (and whether the target is empty) without writing anything; --only restores some tables / collections. The
 * backup is a catalog id or the archive file itself (path, file: URL, s3://), read from the file alone when needed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext, Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { table } from '../cli/output.js';
import type { AdapterContext, Counts } from '../databases/adapter.js';
import { DatabaseError } from '../databases/adapter.js';
import { redactUrl } from '../store/database.js';
import type { BackupRecord } from './backup-record.js';
import { type ResolvedBackup, resolveBackup } from './backup-ref.js';
import {
  type BackupSession,
  openBackupSession,
  readPlanIfAny,
  reportBackupError,
  stopSignal,
} from './command-support.js';
import { progressBar } from './progress.js';
import { openPlaintext } from './read-archive.js';
import { pick, selectOnly } from './restore-only.js';
import { scrub } from './run-backup.js';
import { compareCounts } from './verify.js';
import { barTotals } from './verify-command.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary:
    'Restore a backup into a database (refuses a non-empty one; --force replaces what the backup holds; --only some; --dry-run lists it)',
  usage:
    '<backup-id | path | file:URL | s3://bucket/key> --to <url> [--only t1,t2] [--dry-run] [--force] [--plan upkeep.yml] [--json]',
  maxPositionals: 1,
  options: {
    to: { type: 'string' },
    only: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
  },
  async run({ positionals, values, global }, ctx) {
    const [ref, ...extra] = positionals;
    if (!ref || extra.length > 0)
      throw new UsageError('name exactly one backup, e.g. `upkeep restore 3f2a9c1e --to ...`');
    const to = values.to as string | undefined;
    const dryRun = Boolean(values['dry-run']);
    if (to === undefined && !dryRun) throw new UsageError('say where to restore: --to <connection string>');
    const loaded = await readPlanIfAny(global, ctx);
    const session = await openBackupSession(global, loaded?.timezone ?? 'UTC');
    const work = await mkdtemp(join(tmpdir(), 'upkeep-restore-'));
    const signal = stopSignal(ctx);
    const adapterCtx = (progress?: AdapterContext['progress']): AdapterContext => ({
      signal,
      tmpDir: work,
      ...(progress ? { progress } : {}),
    });
    try {
      const resolved = await withBar(ctx, {}, 'reading', (p) =>
        resolveBackup(ref, session, loaded, ctx, adapterCtx(p)),
      );
      const request = { to, dryRun, force: Boolean(values.force), only: values.only as string | undefined };
      return await restoreResolved(resolved, request, session, ctx, global.json, adapterCtx);
    } catch (err) {
      if (err instanceof DatabaseError) {
        ctx.stderr.write(`upkeep restore: ${to ? scrub(err.message, to) : err.message}\n`);
        return 1;
      }
      return reportBackupError(err, 'restore', ctx);
    } finally {
      await rm(work, { recursive: true, force: true });
      await session.close();
    }
  },
};

/** What the command line asked of a restore. */
interface RestoreRequest {
  to: string | undefined;
  dryRun: boolean;
  force: boolean;
  only: string | undefined;
}

/** Reads the resolved backup through, then lists (--dry-run) or restores it; returns the exit code. */
async function restoreResolved(
  resolved: ResolvedBackup,
  req: RestoreRequest,
  session: BackupSession,
  ctx: CliContext,
  json: boolean,
  adapterCtx: (progress?: AdapterContext['progress']) => AdapterContext,
): Promise<number> {
  const { record } = resolved;
  checkRestorable(record, resolved.identities);
  if (req.to !== undefined) checkUrl(record, req.to);
  const adapter = session.deps.adapterFor(record.engine);
  const open = () => openPlaintext(record, { target: resolved.target, identities: resolved.identities });
  // The whole archive is read once before anything is written: a damaged or undecryptable backup is refused with
  // the target untouched (a file read from the file alone has had this read already).
  const inArchive = resolved.fromFile
    ? (record.counts ?? {})
    : await withBar(ctx, barTotals(record), 'checking', async (p) => adapter.inspect(await open(), adapterCtx(p)));
  const only = req.only === undefined ? undefined : selectOnly(req.only, record.engine, Object.keys(inArchive));
  const shown = req.to === undefined ? undefined : redactUrl(req.to);
  const empty = req.to === undefined ? undefined : await adapter.isEmpty(req.to, adapterCtx());
  if (req.dryRun) {
    report(ctx, json, { record, counts: pick(inArchive, only), only, target: shown, empty, dryRun: true });
    return 0;
  }
  const kind = record.engine === 'mongodb' ? 'collections' : 'tables';
  const things = only ? `${kind} named in --only` : `${kind} the backup holds`;
  if (empty === false && !req.force) {
    ctx.stderr.write(
      `upkeep restore: refusing to restore into ${shown}: it is not empty. Restore into an empty database, ` +
        `or pass --force to replace the ${things} (their current data is dropped; the others stay)\n`,
    );
    return 2;
  }
  const replace = empty === false;
  if (replace) {
    ctx.stderr.write(`upkeep restore: ${shown} is not empty; replacing the ${things}, leaving the others (--force)\n`);
  }
  const counts = await withBar(ctx, barTotals(record), 'restoring', async (p) =>
    adapter.restore(await open(), req.to as string, adapterCtx(p), { replace, ...(only ? { only } : {}) }),
  );
  const expected = pick(record.counts ?? inArchive, only);
  // Replaced or partial, the restored tables must match; the target's others are none of the backup's business.
  const compared = replace || only ? pick(counts, Object.keys(expected)) : counts;
  const differences = compareCounts(expected, compared);
  report(ctx, json, { record, counts: compared, only, target: shown, empty, dryRun: false, differences });
  return differences.length > 0 ? 1 : 0;
}

/** Runs `fn` with a progress bar on stderr (terminals only), clearing it afterwards. */
async function withBar<T>(
  ctx: CliContext,
  totals: Parameters<typeof progressBar>[2],
  label: string,
  fn: (progress: NonNullable<AdapterContext['progress']>) => Promise<T>,
): Promise<T> {
  const bar = progressBar(ctx.stderr, ctx.env, totals, label);
  try {
    return await fn((p) => bar.update(p));
  } finally {
    bar.done();
  }
}

/** Only a taken backup can be restored, and an encrypted one only with an identity. */
function checkRestorable(record: BackupRecord, identities: readonly string[]): void {
  if (record.state === 'running' || record.state === 'failed' || record.plaintextSha256 === null) {
    throw new UsageError(
      `backup ${record.id.slice(0, 8)} is ${record.state}${record.reason ? ` (${record.reason})` : ''}: choose a taken backup (\`upkeep backups\`)`,
    );
  }
  if (record.recipients.length > 0 && identities.length === 0) {
    throw new UsageError(
      'the backup is encrypted: set backup.encrypt.identity in the plan or UPKEEP_BACKUP_IDENTITY to the age identity',
    );
  }
}

/** A target of the wrong engine is a usage error, said before anything is read. */
function checkUrl(record: BackupRecord, url: string): void {
  const fits = record.engine === 'mongodb' ? /^mongodb(\+srv)?:\/\//i.test(url) : /^postgres(ql)?:\/\//i.test(url);
  if (!fits) {
    throw new UsageError(
      `backup ${record.id.slice(0, 8)} is a ${record.engine} backup: --to must be a ${record.engine === 'mongodb' ? 'mongodb://' : 'postgres://'} connection string`,
    );
  }
}

function report(
  ctx: CliContext,
  json: boolean,
  r: {
    record: BackupRecord;
    counts: Counts;
    only: string[] | undefined;
    target: string | undefined;
    empty: boolean | undefined;
    dryRun: boolean;
    differences?: string[];
  },
): void {
  const recorded = pick(r.record.counts ?? {}, r.only);
  if (json) {
    ctx.stdout.write(
      `${JSON.stringify(
        {
          backup: r.record.id,
          dryRun: r.dryRun,
          only: r.only ?? null,
          target: r.target ?? null,
          targetEmpty: r.empty ?? null,
          counts: r.counts,
          recorded,
          ...(r.differences ? { differences: r.differences } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(r.counts)])].sort();
  const rows = names.map((name) => [name, String(r.counts[name] ?? '—'), String(recorded[name] ?? '—')]);
  const verb = r.dryRun ? 'would restore' : 'restored';
  ctx.stdout.write(
    `${verb} backup ${r.record.id.slice(0, 8)} (${r.record.app}/${r.record.database}, ${new Date(r.record.startedAt).toISOString()})` +
      `${r.target ? ` into ${r.target}` : ''}\n`,
  );
  if (r.dryRun && r.empty !== undefined)
    ctx.stdout.write(
      r.empty
        ? 'the target is empty\n'
        : 'the target is NOT empty: restore would refuse without --force (with it, what the backup holds is replaced)\n',
    );
  ctx.stdout.write(
    `\n${table([r.record.engine === 'mongodb' ? 'COLLECTION' : 'TABLE', r.dryRun ? 'IN ARCHIVE' : 'RESTORED', 'AT BACKUP'], rows)}\n`,
  );
  if (r.differences && r.differences.length > 0) ctx.stdout.write(`\ndifferences: ${r.differences.join('; ')}\n`);
}
