/**
 * The `backup` job kind (`app/db.backup`): on the backup schedule, takes a backup, reads it back, prunes, and judges
 * that backup (the freshness of proof is the freshness unit's alert, not this one's). A job kind is a CheckKind whose probe does the work, so the scheduler,
 * alert states and notifications apply unchanged.
 */

import { z } from 'zod';
import { BackupError } from '../backups/errors.js';
import type { CheckKind, ProbeContext } from '../checks/kind.js';
import type { Observation } from '../core/observation.js';
import { DatabaseError } from '../databases/adapter.js';
import { type DatabaseBackupPlan, JOB_KIND } from '../plan/compile-databases.js';
import { formatDuration } from '../plan/duration.js';
import { startDeadline } from '../shared/deadline.js';
import { type BackupJobFacts, evaluateBackupJob, failureReasonFor } from './backup-rules.js';
import { type BackupDeps, takeBackup } from './backup-work.js';
import { scrubPlanSecrets } from './scrub.js';

/** A job unit's spec: the database's compiled backup plan (never from user input directly; see compile-databases). */
export const backupPlanSchema = z.custom<DatabaseBackupPlan>(
  (value) => typeof value === 'object' && value !== null && 'engine' in value,
);

/** Runs the backup unit's work; a failure of the database, the target or the archive is a verdict, not a throw. */
export async function probeBackup(plan: DatabaseBackupPlan, ctx: ProbeContext, deps: BackupDeps): Promise<Observation> {
  const startedAt = ctx.now();
  const deadline = ownDeadline(ctx);
  try {
    const { facts } = await takeBackup(plan, deps, { signal: deadline.signal });
    return { startedAt, durationMs: ctx.now() - startedAt, facts: { ...facts } };
  } catch (err) {
    // upkeep's own trouble (its catalog, a bug) is thrown on: the scheduler records it as upkeep's error.
    if (!(err instanceof BackupError) || err.reason === 'internal') throw err;
    const cause = err.cause instanceof DatabaseError ? err.cause.reason : undefined;
    const message = deadline.passed()
      ? `the backup did not finish within its ${formatDuration(ctx.timeoutMs)} timeout (raise backup.timeout)`
      : scrubPlanSecrets(err.message, plan);
    const facts: BackupJobFacts = { check: 'not-run' };
    return {
      startedAt,
      durationMs: ctx.now() - startedAt,
      facts: { ...facts, failedBecause: err.reason },
      failure: { reason: failureReasonFor(err.reason, cause), message },
    };
  } finally {
    deadline.dispose();
  }
}

/**
 * The work's own deadline, a little before the unit's: the scheduler gives a probe only a second past its deadline
 * to return, and an aborted backup needs a moment to remove its partial file and record why it failed.
 */
export function ownDeadline(ctx: Pick<ProbeContext, 'signal' | 'timeoutMs'>): {
  signal: AbortSignal;
  passed(): boolean;
  dispose(): void;
} {
  const margin = Math.min(30_000, Math.floor(ctx.timeoutMs / 20));
  const deadline = startDeadline(ctx.signal, Math.max(1, ctx.timeoutMs - margin));
  return {
    signal: deadline.signal,
    passed: () => deadline.signal.aborted && !ctx.signal.aborted,
    dispose: deadline.dispose,
  };
}

/** The backup job kind, bound to its dependencies. */
export function backupJobKind(deps: BackupDeps): CheckKind<DatabaseBackupPlan> {
  return {
    name: JOB_KIND.backup,
    description: 'Backs a database up (stream → compress → encrypt → checksum → target), reads it back and prunes.',
    schema: backupPlanSchema,
    describe: (plan) => `${plan.engine} ${plan.urlRedacted} → ${plan.to.join(', ')}`,
    probe: (plan, ctx) => probeBackup(plan, ctx, deps),
    defaultAlert: { failures: 1, successes: 1 },
    evaluate: (_plan, observation) => evaluateBackupJob(observation),
  };
}
