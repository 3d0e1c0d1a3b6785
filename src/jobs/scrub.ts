/** Keeps a database plan's secrets (connection strings, passwords, the age identity) out of messages. Pure. */
import { scrub } from '../backups/run-backup.js';
import type { DatabaseBackupPlan } from '../plan/compile-databases.js';

/** `message` with the plan's URLs, their passwords and its identity replaced. */
export function scrubPlanSecrets(
  message: string,
  plan: Pick<DatabaseBackupPlan, 'url' | 'scratch' | 'encrypt'>,
): string {
  let out = scrub(message, plan.url);
  // `source` is a keyword (drill on the source server), not a URL to hide.
  if (plan.scratch !== undefined && plan.scratch !== 'source') out = scrub(out, plan.scratch);
  const identity = plan.encrypt?.identity?.trim();
  if (identity && identity.length >= 8) out = out.split(identity).join('<age identity>');
  return out.replace(/AGE-SECRET-KEY-1[0-9A-Z]+/gi, '<age identity>');
}
