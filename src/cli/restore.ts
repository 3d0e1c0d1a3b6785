/**
 * `upkeep restore <backup> --to <url>`: loads a backup into a database. Refuses a database that is not empty unless
 * --force, which replaces each table / collection the backup holds (others stay); --dry-run lists what would be
 * restored (and whether the target is empty) without writing anything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupRecord } from '../backups/backup-record.js';
import { openPlaintext } from '../backups/read-archive.js';
import { scrub } from '../backups/run-backup.js';
import { compareCounts } from '../backups/verify.js';
import type { AdapterContext, Counts } from '../databases/adapter.js';
import { DatabaseError } from '../databases/adapter.js';
import { copyTargetOf, identitiesOf } from '../jobs/backup-work.js';
import { redactUrl } from '../store/database.js';
import {
  findBackup,
  openBackupSession,
  planForRecord,
  readPlanIfAny,
  reportBackupError,
  stopSignal,
} from './backup-support.js';
import type { CliContext, Command } from './command.js';
import { UsageError } from './command.js';
import { table } from './output.js';
import { progressBar } from './progress.js';
import { barTotals } from './verify.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary:
    'Restore a backup into a database (refuses a non-empty one; --force replaces what the backup holds; --dry-run lists it)',
  usage: '<backup-id | file> --to <url> [--dry-run] [--force] [--plan upkeep.yml] [--json]',
  options: { to: { type: 'string' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' } },
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
    try {
      const record = await findBackup(session.deps.catalog, ref);
      if (record.state === 'running' || record.state === 'failed' || record.plaintextSha256 === null) {
        throw new UsageError(
          `backup ${record.id.slice(0, 8)} is ${record.state}${record.reason ? ` (${record.reason})` : ''}: choose a taken backup (\`upkeep backups\`)`,
        );
      }
      if (to !== undefined) checkUrl(record, to);
      const plan = planForRecord(record, loaded, ctx);
      const identities = await identitiesOf(plan, ctx.env, ctx.cwd);
      if (record.recipients.length > 0 && identities.length === 0) {
        throw new UsageError(
          'the backup is encrypted: set backup.encrypt.identity in the plan or UPKEEP_BACKUP_IDENTITY to the age identity',
        );
      }
      const adapter = session.deps.adapterFor(record.engine);
      const signal = stopSignal(ctx);
      const adapterCtx = (progress?: AdapterContext['progress']): AdapterContext => ({
        signal,
        tmpDir: work,
        ...(progress ? { progress } : {}),
      });
      const shown = to === undefined ? undefined : redactUrl(to);
      const empty = to === undefined ? undefined : await adapter.isEmpty(to, adapterCtx());
      const target = await copyTargetOf(record, plan, session.deps);
      const open = () => openPlaintext(record, { target, identities });

      if (dryRun) {
        const bar = progressBar(ctx.stderr, ctx.env, barTotals(record), 'reading');
        let counts: Counts;
        try {
          counts = await adapter.inspect(
            await open(),
            adapterCtx((p) => bar.update(p)),
          );
        } finally {
          bar.done();
        }
        report(ctx, global.json, { record, counts, target: shown, empty, dryRun: true });
        return 0;
      }
      const things = record.engine === 'mongodb' ? 'collections' : 'tables';
      if (empty === false && !values.force) {
        ctx.stderr.write(
          `upkeep restore: refusing to restore into ${shown}: it is not empty. Restore into an empty database, ` +
            `or pass --force to replace the ${things} the backup holds (their current data is dropped; other ${things} stay)\n`,
        );
        return 2;
      }
      const replace = empty === false;
      if (replace) {
        ctx.stderr.write(
          `upkeep restore: ${shown} is not empty; replacing the ${things} the backup holds, leaving the others (--force)\n`,
        );
        if (record.engine === 'mongodb') {
          // MongoDB drops as it goes, with no transaction to undo it: read the whole archive first, so a damaged
          // or undecryptable backup fails here, before anything of the target is dropped.
          const bar = progressBar(ctx.stderr, ctx.env, barTotals(record), 'checking');
          try {
            await adapter.inspect(
              await open(),
              adapterCtx((p) => bar.update(p)),
            );
          } finally {
            bar.done();
          }
        }
      }
      const bar = progressBar(ctx.stderr, ctx.env, barTotals(record), 'restoring');
      let counts: Counts;
      try {
        counts = await adapter.restore(
          await open(),
          to as string,
          adapterCtx((p) => bar.update(p)),
          { replace },
        );
      } finally {
        bar.done();
      }
      const recorded = record.counts ?? {};
      // Replaced, the backup's tables must match; the target's other tables are none of the backup's business.
      const compared = replace ? Object.fromEntries(Object.entries(counts).filter(([n]) => n in recorded)) : counts;
      const differences = compareCounts(recorded, compared);
      report(ctx, global.json, { record, counts, target: shown, empty, dryRun: false, differences });
      return differences.length > 0 ? 1 : 0;
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
    target: string | undefined;
    empty: boolean | undefined;
    dryRun: boolean;
    differences?: string[];
  },
): void {
  const recorded = r.record.counts ?? {};
  if (json) {
    ctx.stdout.write(
      `${JSON.stringify(
        {
          backup: r.record.id,
          dryRun: r.dryRun,
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
