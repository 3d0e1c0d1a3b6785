/**
 * Every job kind upkeep knows. A job kind is a CheckKind whose probe does the work; it needs services (the catalog,
 * adapters), so the registry lists factories and the composition root binds them. Adding a kind is one line here.
 */
import type { CheckKind } from '../checks/kind.js';
import { backupJobKind } from './backup-job.js';
import type { BackupDeps } from './backup-work.js';
import { drillJobKind } from './drill-job.js';
import { freshnessKind } from './freshness-check.js';

// biome-ignore lint/suspicious/noExplicitAny: kinds differ in their spec type; each checks its own.
export const jobKindFactories: readonly ((deps: BackupDeps) => CheckKind<any>)[] = [
  backupJobKind,
  drillJobKind,
  freshnessKind,
];

/** The job kinds bound to `deps`, for the scheduler's findKind beside the check kinds. */
export function createJobKinds(deps: BackupDeps): CheckKind<unknown>[] {
  return jobKindFactories.map((factory) => factory(deps));
}
