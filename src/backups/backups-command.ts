/**
 * `upkeep backups [db]`: the catalog of one database (or all), newest first, with states taken/checked/drilled/failed;
 * `upkeep backups --scan <where>` rebuilds it from the archive files (backups-scan.ts).
 */

import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { colours, relativeTime, table } from '../cli/output.js';
import { formatBytes, judgeFreshness } from '../jobs/backup-rules.js';
import { readFreshness } from '../jobs/backup-work.js';
import { formatDuration } from '../plan/duration.js';
import type { BackupRecord } from './backup-record.js';
import { runScan } from './backups-scan.js';
import { openBackupSession, readPlanIfAny, recordJson, reportBackupError, resolveDatabase } from './command-support.js';

/** The colour of a backup state: proven green, failed red, not yet proven yellow. */
function stateColour(state: BackupRecord['state']) {
  return state === 'drilled' ? 'green' : state === 'failed' ? 'red' : state === 'checked' ? 'cyan' : 'yellow';
}

/** Rows of the table; pure. */
export function backupRows(records: BackupRecord[], now: number, all: boolean): string[][] {
  return records.map((r) => [
    r.id.slice(0, 8),
    ...(all ? [`${r.app}/${r.database}`] : []),
    new Date(r.startedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    r.state,
    r.sizeBytes === null ? '—' : formatBytes(r.sizeBytes),
    r.durationMs === null ? '—' : formatDuration(r.durationMs),
    r.counts === null ? '—' : String(Object.keys(r.counts).length),
    relativeTime(r.drilledAt ?? r.checkedAt ?? r.failedAt ?? r.takenAt ?? r.startedAt, now),
    r.reason ?? '',
    copiesCell(r),
  ]);
}

/** Where each copy is and its state (`file:/srv/backups checked, s3://b/shop failed`); the reasons are in --json. */
export function copiesCell(record: BackupRecord): string {
  if (record.copies.length === 0) return record.target;
  return record.copies.map((c) => `${c.target} ${c.state}`).join(', ');
}

export const backupsCommand: Command = {
  name: 'backups',
  summary:
    'List the backups of a database (or of all), newest first, with their states; --scan rebuilds the catalog from the files',
  usage: '[app/db | db] [--plan upkeep.yml] [--json]  |  --scan <folder | file:URL | s3://bucket/prefix> [--json]',
  maxPositionals: 1,
  options: { scan: { type: 'string' } },
  async run({ positionals, values, global }, ctx) {
    const [address, ...extra] = positionals;
    if (values.scan !== undefined) {
      if (positionals.length > 0) throw new UsageError('--scan takes no database: `upkeep backups --scan ./backups`');
      const loaded = await readPlanIfAny(global, ctx);
      const session = await openBackupSession(global, loaded?.timezone ?? 'UTC');
      try {
        return await runScan(String(values.scan), session, loaded, ctx, global.json);
      } catch (err) {
        return reportBackupError(err, 'backups --scan', ctx);
      } finally {
        await session.close();
      }
    }
    if (extra.length > 0) throw new UsageError('name at most one database, e.g. `upkeep backups shop/main`');
    // The plan resolves a bare name; `app/db` and the full listing need only the store.
    const loaded = address !== undefined && !address.includes('/') ? await readPlanIfAny(global, ctx) : undefined;
    let source: { app: string; database: string } | undefined;
    let alertAfterMs: number | null = null;
    if (address !== undefined) {
      if (loaded) {
        const plan = resolveDatabase(loaded, address);
        source = { app: plan.app, database: plan.database };
        alertAfterMs = plan.alertAfterMs;
      } else {
        const [app, database] = address.split('/');
        if (!app || !database) throw new UsageError(`write the database as app/db (no plan to resolve "${address}")`);
        source = { app, database };
      }
    }
    const session = await openBackupSession(global, loaded?.timezone ?? 'UTC');
    try {
      const records = source ? await session.deps.catalog.list(source) : await session.deps.catalog.listAll();
      if (global.json) {
        ctx.stdout.write(`${JSON.stringify({ backups: records.map(recordJson) }, null, 2)}\n`);
        return 0;
      }
      if (records.length === 0) {
        const what = source ? `${source.app}/${source.database}` : 'any database';
        ctx.stdout.write(`No backups of ${what} recorded yet: run \`upkeep backup <db>\` or \`upkeep start\`.\n`);
        return 0;
      }
      const c = colours(ctx.stdout, ctx.env);
      const rows = backupRows(records, Date.now(), source === undefined).map((row, i) => {
        const at = source === undefined ? 3 : 2;
        const state = (records[i] as BackupRecord).state;
        return row.map((cell, j) => (j === at ? c(stateColour(state), cell) : cell));
      });
      const headers = [
        'ID',
        ...(source ? [] : ['DATABASE']),
        'STARTED',
        'STATE',
        'SIZE',
        'TOOK',
        'ITEMS',
        'LAST CHANGE',
        'REASON',
        'COPIES',
      ];
      ctx.stdout.write(`${table(headers, rows)}\n`);
      if (source && alertAfterMs !== null) {
        const freshness = await readFreshness(session.deps.catalog, source);
        const [proof] = judgeFreshness(freshness, alertAfterMs, Date.now()).judged;
        if (proof) {
          const text = `proof: ${proof.passed ? 'ok' : 'STALE'} — ${proof.condition}: ${proof.actual ?? ''}`;
          ctx.stdout.write(`\n${c(proof.passed ? 'green' : 'red', text)}\n`);
        }
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};
