/** Typed backup failures: each says whose problem it is (the source database, the storage target, upkeep) and what to do. */

/**
 * Why a backup, check or drill failed. `source` is the user's database (the adapter's DatabaseError is the cause);
 * `target-full` and `target` are the storage; `integrity`, `wrong-key` and `drill-mismatch` are the archive itself;
 * `config` is the plan; `not-a-backup` is a file that is no upkeep archive at all; `aborted` is a cancelled run; `internal` is upkeep's own fault, never the user's system down.
 */
export type BackupErrorReason =
  | 'source'
  | 'target-full'
  | 'target'
  | 'integrity'
  | 'wrong-key'
  | 'drill-mismatch'
  | 'config'
  | 'not-a-backup'
  | 'aborted'
  | 'internal';

/** A backup pipeline failure, said so a person can act on it. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    message: string,
    readonly reason: BackupErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for the errno codes of a full disk or an exhausted quota. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
