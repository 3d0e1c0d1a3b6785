/** Applies retention to one database: removes the archives retention lets go, then their catalog rows. */
import type { Logger } from 'pino';
import type { BackupCatalog, BackupRecord } from './backup-record.js';
import { type KeepPolicy, selectKept } from './retention.js';
import type { BackupTarget } from './target.js';

/** What a prune did (or, with dryRun, would do). */
export interface PruneResult {
  kept: { record: BackupRecord; reasons: string[] }[];
  removed: BackupRecord[];
}

/** Prunes one database's backups by `policy` in `timezone`; with `dryRun` nothing is removed. */
export async function pruneBackups(opts: {
  catalog: BackupCatalog;
  target: BackupTarget;
  source: { app: string; database: string };
  policy: KeepPolicy;
  timezone: string;
  logger: Logger;
  dryRun?: boolean;
}): Promise<PruneResult> {
  const records = await opts.catalog.list(opts.source);
  const decision = selectKept(
    records.map((r) => ({ id: r.id, time: r.startedAt, state: r.state })),
    opts.policy,
    opts.timezone,
  );
  const byId = new Map(records.map((r) => [r.id, r]));
  const removed: BackupRecord[] = [];
  for (const id of decision.remove) {
    const record = byId.get(id) as BackupRecord;
    if (!opts.dryRun) {
      // File first: if removing it fails, the row stays and the next prune tries again.
      await opts.target.remove(record.file);
      await opts.catalog.remove(id);
      opts.logger.info({ backup: id, file: record.file, state: record.state }, 'backup pruned');
    }
    removed.push(record);
  }
  const kept = records
    .filter((r) => decision.keep.has(r.id))
    .map((record) => ({ record, reasons: decision.keep.get(record.id) as string[] }));
  return { kept, removed };
}
