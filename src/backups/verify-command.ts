/**
 * `upkeep verify <backup> [--drill]`: reads one backup back (checksums, decrypt, decompress) and, with --drill,
 * restores it into a scratch database and compares the counts. Exit 1 when the backup is bad or the drill could not run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext, Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { copyTargets, drillOne } from '../jobs/backup-work.js';
import { scrubPlanSecrets } from '../jobs/scrub.js';
import type { BackupRecord } from './backup-record.js';
import { type ResolvedBackup, resolveBackup } from './backup-ref.js';
import { checkCopies } from './check-copies.js';
import {
  type BackupSession,
  describeRecord,
  openBackupSession,
  readPlanIfAny,
  recordJson,
  reportBackupError,
  stopSignal,
} from './command-support.js';
import { progressBar } from './progress.js';
import { checkBackup } from './verify.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check one backup (checksums, decrypt, decompress); with --drill, restore it into a scratch database',
  usage: '<backup-id | path | file:URL | s3://bucket/key> [--drill] [--plan upkeep.yml] [--json]',
  maxPositionals: 1,
  options: { drill: { type: 'boolean' } },
  async run({ positionals, values, global }, ctx) {
    const [ref, ...extra] = positionals;
    if (!ref || extra.length > 0) throw new UsageError('name exactly one backup, e.g. `upkeep verify 3f2a9c1e`');
    const loaded = await readPlanIfAny(global, ctx);
    const session = await openBackupSession(global, loaded?.timezone ?? 'UTC');
    const work = await mkdtemp(join(tmpdir(), 'upkeep-verify-'));
    try {
      const signal = stopSignal(ctx);
      const bar = progressBar(ctx.stderr, ctx.env, {}, 'reading');
      let resolved: ResolvedBackup;
      try {
        resolved = await resolveBackup(ref, session, loaded, ctx, {
          signal,
          tmpDir: work,
          progress: (p) => bar.update(p),
        });
      } finally {
        bar.done();
      }
      if (resolved.fromFile) {
        if (values.drill) {
          throw new UsageError(
            `--drill needs the backup in the catalog: run \`upkeep backups --scan <folder>\` first, or restore the file into a database of yours with \`upkeep restore ${ref} --to <url>\``,
          );
        }
        return reportFileVerified(resolved.record, global.json, ctx);
      }
      const drill = Boolean(values.drill);
      const outcome = await verifyCatalogued(resolved, drill, session, ctx, signal);
      const ok = outcome.after.state !== 'failed' && !outcome.couldNotRun;
      if (global.json) {
        const note = outcome.drillNote ? { note: outcome.drillNote } : {};
        ctx.stdout.write(`${JSON.stringify({ ok, backup: recordJson(outcome.after), ...note }, null, 2)}\n`);
      } else {
        ctx.stdout.write(describeRecord(outcome.after));
        if (outcome.couldNotRun) ctx.stdout.write(`drill    could not run: ${outcome.drillNote}\n`);
        else if (ok)
          ctx.stdout.write(
            drill
              ? 'verified restored into a scratch database; every count matches the backup\n'
              : 'verified checksums match; it decrypts and decompresses\n',
          );
      }
      return ok ? 0 : 1;
    } catch (err) {
      return reportBackupError(err, 'verify', ctx);
    } finally {
      await rm(work, { recursive: true, force: true });
      await session.close();
    }
  },
};

/** Checks (or drills) a catalogued backup, recording the outcome in the catalog. */
async function verifyCatalogued(
  resolved: ResolvedBackup,
  drill: boolean,
  session: BackupSession,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<{ after: BackupRecord; couldNotRun: boolean; drillNote?: string }> {
  const { record, plan, identities } = resolved;
  if (drill && plan.url === '' && plan.engine === 'mongodb' && plan.scratch === undefined) {
    throw new UsageError(
      `${record.app}/${record.database} is no longer in the plan, so there is no MongoDB server to drill on: add it back (with backup.scratch)`,
    );
  }
  if (record.recipients.length > 0 && identities.length === 0) {
    throw new UsageError(
      `backup ${record.id.slice(0, 8)} is encrypted: set backup.encrypt.identity in the plan or UPKEEP_BACKUP_IDENTITY to the age identity (AGE-SECRET-KEY-1...)`,
    );
  }
  if (!drill) {
    const { catalog, clock } = session.deps;
    if (record.copies.length > 1) {
      // Every copy is read back and recorded on its own; the backup is checked while one of them holds.
      const targets = copyTargets(record, plan, session.deps, ctx.env);
      const { record: after } = await checkCopies(record, { targets, identities, catalog, clock, signal });
      return { after, couldNotRun: false };
    }
    const after = await checkBackup(record, { target: resolved.target, identities, catalog, clock, signal });
    return { after, couldNotRun: false };
  }
  const bar = progressBar(ctx.stderr, ctx.env, barTotals(record), 'restoring');
  try {
    const withIdentity = plan.encrypt?.identity
      ? plan
      : { ...plan, encrypt: { recipients: [], identity: identities[0] as string } };
    const result = await drillOne(record, withIdentity, session.deps, { signal, progress: (p) => bar.update(p) });
    return {
      after: result.record,
      couldNotRun: result.facts.drill === 'could-not-run',
      ...(result.facts.reason ? { drillNote: scrubPlanSecrets(result.facts.reason, plan) } : {}),
    };
  } finally {
    bar.done();
  }
}

/** A file read from the file alone: what it holds, and that it read through whole. */
function reportFileVerified(record: BackupRecord, json: boolean, ctx: CliContext): number {
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ok: true, fromFile: true, backup: recordJson(record) }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(describeRecord(record));
  ctx.stdout.write(
    `verified read from the file alone (not in the catalog): ${record.recipients.length > 0 ? 'age authenticated every chunk and the end of the file, ' : ''}` +
      `it decompresses, and every ${record.engine === 'mongodb' ? 'collection' : 'table'} parses (counts above are from the file)\n`,
  );
  return 0;
}

/** Totals a bar can show for a recorded backup. */
export function barTotals(record: { plaintextBytes: number | null; counts: Record<string, number> | null }) {
  return {
    ...(record.plaintextBytes !== null ? { bytes: record.plaintextBytes } : {}),
    ...(record.counts ? { items: Object.keys(record.counts).length } : {}),
  };
}
