/**
 * `upkeep verify <backup> [--drill]`: reads one backup back (checksums, decrypt, decompress) and, with --drill,
 * restores it into a scratch database and compares the counts. Exit 1 when the backup is bad or the drill could not run.
 */
import { checkBackup } from '../backups/verify.js';
import { copyTargetOf, drillOne, identitiesOf } from '../jobs/backup-work.js';
import { scrubPlanSecrets } from '../jobs/scrub.js';
import {
  describeRecord,
  findBackup,
  openBackupSession,
  planForRecord,
  readPlanIfAny,
  recordJson,
  reportBackupError,
  stopSignal,
} from './backup-support.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { progressBar } from './progress.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check one backup (checksums, decrypt, decompress); with --drill, restore it into a scratch database',
  usage: '<backup-id | file> [--drill] [--plan upkeep.yml] [--json]',
  options: { drill: { type: 'boolean' } },
  async run({ positionals, values, global }, ctx) {
    const [ref, ...extra] = positionals;
    if (!ref || extra.length > 0) throw new UsageError('name exactly one backup, e.g. `upkeep verify 3f2a9c1e`');
    const loaded = await readPlanIfAny(global, ctx);
    const session = await openBackupSession(global, loaded?.timezone ?? 'UTC');
    try {
      const record = await findBackup(session.deps.catalog, ref);
      const plan = planForRecord(record, loaded, ctx);
      if (values.drill && plan.url === '' && plan.engine === 'mongodb' && plan.scratch === undefined) {
        throw new UsageError(
          `${record.app}/${record.database} is no longer in the plan, so there is no MongoDB server to drill on: add it back (with backup.scratch)`,
        );
      }
      const identities = await identitiesOf(plan, ctx.env, ctx.cwd);
      if (record.recipients.length > 0 && identities.length === 0) {
        throw new UsageError(
          `backup ${record.id.slice(0, 8)} is encrypted: set backup.encrypt.identity in the plan or UPKEEP_BACKUP_IDENTITY to the age identity (AGE-SECRET-KEY-1...)`,
        );
      }
      const signal = stopSignal(ctx);
      let after = record;
      let drillNote: string | undefined;
      let couldNotRun = false;
      if (values.drill) {
        const bar = progressBar(ctx.stderr, ctx.env, barTotals(record), 'restoring');
        try {
          const withIdentity = plan.encrypt?.identity
            ? plan
            : { ...plan, encrypt: { recipients: [], identity: identities[0] as string } };
          const result = await drillOne(record, withIdentity, session.deps, { signal, progress: (p) => bar.update(p) });
          after = result.record;
          couldNotRun = result.facts.drill === 'could-not-run';
          if (result.facts.reason) drillNote = scrubPlanSecrets(result.facts.reason, plan);
        } finally {
          bar.done();
        }
      } else {
        after = await checkBackup(record, {
          target: await copyTargetOf(record, plan, session.deps),
          identities,
          catalog: session.deps.catalog,
          clock: session.deps.clock,
          signal,
        });
      }
      const ok = after.state !== 'failed' && !couldNotRun;
      if (global.json) {
        ctx.stdout.write(
          `${JSON.stringify({ ok, backup: recordJson(after), ...(drillNote ? { note: drillNote } : {}) }, null, 2)}\n`,
        );
      } else {
        ctx.stdout.write(describeRecord(after));
        if (couldNotRun) ctx.stdout.write(`drill    could not run: ${drillNote}\n`);
        else if (ok)
          ctx.stdout.write(
            values.drill
              ? 'verified restored into a scratch database; every count matches the backup\n'
              : 'verified checksums match; it decrypts and decompresses\n',
          );
      }
      return ok ? 0 : 1;
    } catch (err) {
      return reportBackupError(err, 'verify', ctx);
    } finally {
      await session.close();
    }
  },
};

/** Totals a bar can show for a recorded backup. */
export function barTotals(record: { plaintextBytes: number | null; counts: Record<string, number> | null }) {
  return {
    ...(record.plaintextBytes !== null ? { bytes: record.plaintextBytes } : {}),
    ...(record.counts ? { items: Object.keys(record.counts).length } : {}),
  };
}
