/**
 * Applies retention to one database on one target: removes the copies retention lets go there, then their catalog
 * rows (and a backup's record once its last copy is gone). Each target is pruned on its own, by its own copies.
 */
import type { Logger } from 'pino';
import type { BackupCatalog, BackupCopy, BackupRecord, BackupState } from './backup-record.js';
import { type KeepPolicy, selectKept } from './retention.js';
import type { BackupTarget } from './target.js';

/** What a prune did (or, with dryRun, would do). */
export interface PruneResult {
  kept: { record: BackupRecord; reasons: string[] }[];
  removed: BackupRecord[];
}

/** Prunes one database's copies on `target` by `policy` in `timezone`; with `dryRun` nothing is removed. */
export async function pruneBackups(opts: {
  catalog: BackupCatalog;
  target: BackupTarget;
  source: { app: string; database: string };
  policy: KeepPolicy;
  timezone: string;
  logger: Logger;
  dryRun?: boolean;
}): Promise<PruneResult> {
  const here = opts.target.description;
  const records = (await opts.catalog.list(opts.source)).filter((r) => copyOn(r, here) !== undefined);
  const decision = selectKept(
    records.map((r) => ({ id: r.id, time: r.startedAt, state: stateOn(r, copyOn(r, here) as BackupCopy) })),
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
      if (record.copies.some((c) => c.target !== here)) await opts.catalog.removeCopy(id, here);
      else await opts.catalog.remove(id);
      opts.logger.info({ backup: id, file: record.file, state: record.state, target: here }, 'backup pruned');
    }
    removed.push(record);
  }
  const kept = records
    .filter((r) => decision.keep.has(r.id))
    .map((record) => ({ record, reasons: decision.keep.get(record.id) as string[] }));
  return { kept, removed };
}

/** A record's copy on `target` (the migration gave every older backup the copy on its own target). */
function copyOn(record: BackupRecord, target: string): BackupCopy | undefined {
  return record.copies.find((c) => c.target === target);
}

/**
 * What retention sees of a backup on one target: a copy that failed there is failed there, whatever the others; a
 * healthy copy has the backup's own state (its checksums are the backup's: the same bytes went to every target).
 */
function stateOn(record: BackupRecord, copy: BackupCopy): BackupState {
  if (copy.state === 'failed') return 'failed';
  if (copy.state === 'running') return 'running';
  return record.state;
}
