/** The `drill` job kind (`app/db.drill`): on the `verify:` schedule, restores the newest backup into a scratch database. */
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { Observation } from '../core/observation.js';
import { type DatabaseBackupPlan, JOB_KIND } from '../plan/compile-databases.js';
import { formatDuration } from '../plan/duration.js';
import { backupPlanSchema, ownDeadline } from './backup-job.js';
import { evaluateDrillJob } from './backup-rules.js';
import { type BackupDeps, drillNewest } from './backup-work.js';
import { scrubPlanSecrets } from './scrub.js';

/** Drills the newest taken backup; a mismatch, damage or a drill that could not run is a verdict, not a throw. */
export async function probeDrill(plan: DatabaseBackupPlan, ctx: ProbeContext, deps: BackupDeps): Promise<Observation> {
  const startedAt = ctx.now();
  const deadline = ownDeadline(ctx);
  const facts = await drillNewest(plan, deps, { signal: deadline.signal }).finally(deadline.dispose);
  if (deadline.passed() && facts.drill === 'could-not-run') {
    facts.reason = `the drill did not finish within its ${formatDuration(ctx.timeoutMs)} timeout (raise backup.timeout)`;
  }
  if (facts.reason !== undefined) facts.reason = scrubPlanSecrets(facts.reason, plan);
  return { startedAt, durationMs: ctx.now() - startedAt, facts: { ...facts } };
}

/** The drill job kind, bound to its dependencies. */
export function drillJobKind(deps: BackupDeps): CheckKind<DatabaseBackupPlan> {
  return {
    name: JOB_KIND.drill,
    description: 'Restores the newest backup into a scratch database and compares counts with what the dump recorded.',
    schema: backupPlanSchema,
    describe: (plan) => `restore drill of ${plan.to.join(', ')} (${plan.engine})`,
    probe: (plan, ctx) => probeDrill(plan, ctx, deps),
    defaultAlert: { failures: 1, successes: 1 },
    evaluate: (_plan, observation) => evaluateDrillJob(observation),
  };
}
