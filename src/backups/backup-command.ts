/** `upkeep backup <db>`: takes a backup now (exactly what the schedule does: back up, read back, prune) and prints it. */

import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { readPlan } from '../cli/plan-input.js';
import { takeBackup } from '../jobs/backup-work.js';
import { scrubPlanSecrets } from '../jobs/scrub.js';
import {
  describeRecord,
  exitCodeFor,
  openBackupSession,
  recordJson,
  resolveDatabase,
  stopSignal,
} from './command-support.js';
import { BackupError } from './errors.js';
import { progressBar } from './progress.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Back a database up now, read it back and apply retention (exit 1 when the backup failed)',
  usage: '<app/db | db> [--plan upkeep.yml] [--json]',
  maxPositionals: 1,
  options: {},
  async run({ positionals, global }, ctx) {
    const [address, ...extra] = positionals;
    if (!address || extra.length > 0) throw new UsageError('name exactly one database, e.g. `upkeep backup shop/main`');
    const loaded = await readPlan(global.plan, ctx);
    const plan = resolveDatabase(loaded, address);
    const session = await openBackupSession(global, loaded.timezone);
    const bar = progressBar(ctx.stderr, ctx.env, {}, 'dumping');
    try {
      const { record, facts } = await takeBackup(plan, session.deps, {
        signal: stopSignal(ctx),
        progress: (p) => bar.update(p),
      });
      bar.done();
      if (global.json) {
        ctx.stdout.write(`${JSON.stringify({ backup: recordJson(record), ...facts }, null, 2)}\n`);
      } else {
        ctx.stdout.write(describeRecord(record));
        if (facts.check === 'no-identity') {
          ctx.stdout.write(
            'checked  no: set backup.encrypt.identity (e.g. ${UPKEEP_BACKUP_IDENTITY}) so upkeep can decrypt it\n',
          );
        }
        if (facts.pruned) ctx.stdout.write(`pruned   ${facts.pruned} old backup(s) by the keep policy\n`);
        if (facts.pruneError) ctx.stdout.write(`pruned   no: ${scrubPlanSecrets(facts.pruneError, plan)}\n`);
      }
      // A copy that failed is the backup unit's alert too: say which, and exit 1 as the thing checked failed.
      const lost = (facts.copies ?? []).filter((c) => c.state === 'failed' || c.state === 'unreadable');
      for (const c of lost) ctx.stderr.write(`upkeep backup: copy on ${c.target} ${c.state}: ${c.error ?? ''}\n`);
      return record.state === 'failed' || lost.length > 0 ? 1 : 0;
    } catch (err) {
      bar.done();
      if (err instanceof BackupError) {
        const message = scrubPlanSecrets(err.message, plan);
        if (global.json) ctx.stdout.write(`${JSON.stringify({ error: message, reason: err.reason }, null, 2)}\n`);
        ctx.stderr.write(`upkeep backup: ${message}\n`);
        return exitCodeFor(err);
      }
      throw err;
    } finally {
      await session.close();
    }
  },
};
