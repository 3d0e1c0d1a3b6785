/**
 * The `backup-freshness` kind (`app/db.freshness`, every hour): reads the catalog only, and alerts when no drilled
 * backup is newer than `alertAfter` — also when backups or drills stopped running at all.
 */
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { Observation } from '../core/observation.js';
import { type DatabaseBackupPlan, JOB_KIND } from '../plan/compile-databases.js';
import { backupPlanSchema } from './backup-job.js';
import { evaluateFreshness } from './backup-rules.js';
import { type BackupDeps, readFreshness } from './backup-work.js';

/** Reads the freshness of proof from the catalog (a store failure is upkeep's own error, thrown on). */
export async function probeFreshness(
  plan: DatabaseBackupPlan,
  ctx: ProbeContext,
  deps: Pick<BackupDeps, 'catalog'>,
): Promise<Observation> {
  const startedAt = ctx.now();
  const freshness = await readFreshness(deps.catalog, { app: plan.app, database: plan.database });
  return { startedAt, durationMs: ctx.now() - startedAt, facts: { freshness } };
}

/** The freshness check kind, bound to its dependencies. */
export function freshnessKind(deps: BackupDeps): CheckKind<DatabaseBackupPlan> {
  return {
    name: JOB_KIND.freshness,
    description: 'Alerts when no backup newer than alertAfter has passed a restore drill.',
    schema: backupPlanSchema,
    describe: (plan) => `a drilled backup of ${plan.database}`,
    probe: (plan, ctx) => probeFreshness(plan, ctx, deps),
    defaultAlert: { failures: 1, successes: 1 },
    evaluate: (plan, observation) => evaluateFreshness(plan.alertAfterMs, observation),
  };
}
