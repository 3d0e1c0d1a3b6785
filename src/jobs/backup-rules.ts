/**
 * The alert rules of backups, pure: what a backup run, a restore drill and the freshness check saw → a verdict.
 * One problem, one alert: the backup unit judges the backup (failed, damaged), the drill unit the drill (mismatch,
 * damage found by restoring), and only the freshness unit judges "no drilled backup newer than alertAfter" (critical:
 * there is no proof the data can come back) — it alone also notices backups or drills that stopped running. A check
 * or drill that could not run (no key, scratch server down) is a warning, since it says nothing bad about the
 * backup; the freshness unit escalates if it goes on.
 */

import { buildVerdict, type Judged } from '../checks/verdict.js';
import type { FailureReason, Observation, Verdict } from '../core/observation.js';
import { formatDuration } from '../plan/duration.js';

/** What the catalog says about proof: the newest drilled backup and the oldest one recorded at all. */
export interface FreshnessFacts {
  /** When the newest backup that passed a drill was taken. */
  newestDrilledAt: number | null;
  /** The oldest backup of any state: until a drill succeeds, staleness counts from the first attempt. */
  oldestAt: number | null;
}

/** What became of one copy, when a plan's `to:` lists several targets. */
export interface CopyFacts {
  target: string;
  /** written (not checked: no identity), checked, failed (write or check), unreadable (read back failed: not the archive). */
  state: 'written' | 'checked' | 'failed' | 'unreadable';
  error?: string;
}

/** What a backup run did, as observation facts. */
export interface BackupJobFacts {
  backupId?: string;
  file?: string;
  sizeBytes?: number;
  plaintextBytes?: number;
  backupMs?: number;
  collections?: number;
  /** The read-through after the backup: passed, failed (archive fault), or skipped (no identity to decrypt). */
  check: 'passed' | 'failed' | 'no-identity' | 'not-run';
  checkError?: string;
  pruned?: number;
  pruneError?: string;
  /** One per target, only when there are several (each is its own condition). */
  copies?: CopyFacts[];
}

/** What a drill did, as observation facts. */
export interface DrillJobFacts {
  backupId?: string;
  /**
   * drilled: restored and the counts matched; mismatch / damaged: the backup is bad; could-not-run: the scratch
   * server or a tool failed; no-identity: nothing to decrypt with; nothing-yet: no backup to drill (none recorded,
   * or none taken successfully — the backup unit alerts on that, so the drill unit does not); no-good-backup: no
   * backup left to drill because the drilled ones failed their drills (the drill's problem goes on).
   */
  drill: 'drilled' | 'mismatch' | 'damaged' | 'could-not-run' | 'no-identity' | 'nothing-yet' | 'no-good-backup';
  reason?: string;
  collections?: number;
  drillMs?: number;
}

const HOUR_MS = 3_600_000;

/** The moment an observation describes: the end of its probe. */
function observedAt(observation: Observation): number {
  return observation.startedAt + observation.durationMs;
}

/** "A drilled backup newer than alertAfter": judged at `now`; no condition when drills are off. */
export function judgeFreshness(
  facts: FreshnessFacts | undefined,
  alertAfterMs: number | null,
  now: number,
): { judged: Judged[]; values: Record<string, number> } {
  if (alertAfterMs === null || facts === undefined) return { judged: [], values: {} };
  const condition = `a drilled backup newer than ${formatDuration(alertAfterMs)}`;
  const { newestDrilledAt, oldestAt } = facts;
  if (newestDrilledAt === null && oldestAt === null) {
    return { judged: [{ condition, passed: true, severity: 'critical', actual: 'no backups yet' }], values: {} };
  }
  if (newestDrilledAt === null) {
    const waited = now - (oldestAt as number);
    const passed = waited <= alertAfterMs;
    return {
      judged: [
        {
          condition,
          passed,
          severity: 'critical',
          actual: `none drilled yet (first backup ${formatDuration(Math.max(0, waited))} ago)`,
          failText: `no drilled backup: none of the backups of the last ${formatDuration(waited)} has passed a restore drill`,
        },
      ],
      values: {},
    };
  }
  const age = Math.max(0, now - newestDrilledAt);
  return {
    judged: [
      {
        condition,
        passed: age <= alertAfterMs,
        severity: 'critical',
        actual: `${formatDuration(age)} old`,
        failText: `no drilled backup newer than ${formatDuration(alertAfterMs)} (newest drilled ${formatDuration(age)} ago)`,
      },
    ],
    values: { hoursSinceDrilled: Math.round((age / HOUR_MS) * 10) / 10 },
  };
}

/** The verdict of a backup run: taken, checked, pruned. The freshness of proof is the freshness unit's alone. */
export function evaluateBackupJob(observation: Observation): Verdict {
  const facts = observation.facts as unknown as BackupJobFacts;
  const judged: Judged[] = [];
  const values: Record<string, number> = {};
  if (observation.failure) {
    judged.push({
      condition: 'backup taken',
      passed: false,
      severity: 'critical',
      actual: observation.failure.reason,
      failText: `backup failed: ${observation.failure.message}`,
    });
    return buildVerdict(judged, values, '');
  }
  for (const key of ['sizeBytes', 'plaintextBytes', 'backupMs', 'collections', 'pruned'] as const) {
    const value = facts[key];
    if (typeof value === 'number') values[key] = value;
  }
  judged.push({ condition: 'backup taken', passed: true, severity: 'critical', actual: facts.backupId });
  if (facts.check === 'failed') {
    judged.push({
      condition: 'archive reads back (checksums, decrypt, decompress)',
      passed: false,
      severity: 'critical',
      failText: `backup taken but damaged: ${facts.checkError ?? 'read-through failed'}`,
    });
  } else if (facts.check === 'no-identity') {
    judged.push({
      condition: 'archive reads back (checksums, decrypt, decompress)',
      passed: false,
      severity: 'warning',
      failText:
        'backup taken but not checked: set backup.encrypt.identity (the age identity, e.g. ${UPKEEP_BACKUP_IDENTITY}) so upkeep can decrypt it',
    });
  } else if (facts.check === 'passed') {
    judged.push({
      condition: 'archive reads back (checksums, decrypt, decompress)',
      passed: true,
      severity: 'critical',
    });
  }
  judged.push(...judgeCopies(facts.copies));
  if (facts.pruneError !== undefined) {
    judged.push({
      condition: 'retention applied',
      passed: false,
      severity: 'warning',
      failText: `old backups not pruned: ${facts.pruneError}`,
    });
  }
  const size = typeof facts.sizeBytes === 'number' ? ` (${formatBytes(facts.sizeBytes)})` : '';
  const checked = facts.check === 'passed' ? 'taken and checked' : 'taken';
  return buildVerdict(judged, values, `backup ${checked}${size}`);
}

/**
 * One condition per target, naming it: a copy that failed alerts on its own (critical: every location the plan
 * names is one the data is meant to survive in), and says where the backup is kept meanwhile.
 */
function judgeCopies(copies: readonly CopyFacts[] | undefined): Judged[] {
  if (copies === undefined) return [];
  const kept = copies.filter((c) => c.state === 'written' || c.state === 'checked').map((c) => c.target);
  const keptText = kept.length > 0 ? ` (the backup is kept on ${kept.join(', ')})` : '';
  return copies.map((copy): Judged => {
    const condition = `copy on ${copy.target}`;
    if (copy.state === 'written' || copy.state === 'checked') {
      return { condition, passed: true, severity: 'critical', actual: copy.state };
    }
    const what = copy.state === 'unreadable' ? 'could not be read back' : 'failed';
    return {
      condition,
      passed: false,
      severity: 'critical',
      actual: copy.state,
      failText: `copy on ${copy.target} ${what}: ${copy.error ?? 'unknown error'}${copy.state === 'failed' ? keptText : ''}`,
    };
  });
}

/** The verdict of a restore drill: the drill's own outcome; how old the proof is, is the freshness unit's. */
export function evaluateDrillJob(observation: Observation): Verdict {
  const facts = observation.facts as unknown as DrillJobFacts;
  const values: Record<string, number> = {};
  if (typeof facts.drillMs === 'number') values.drillMs = facts.drillMs;
  if (typeof facts.collections === 'number') values.collections = facts.collections;
  const condition = 'restore drill: restored counts match the backup';
  const reason = facts.reason ?? '';
  const judged: Judged[] = [];
  switch (facts.drill) {
    case 'drilled':
      judged.push({ condition, passed: true, severity: 'critical', actual: facts.backupId });
      break;
    case 'mismatch':
      judged.push({ condition, passed: false, severity: 'critical', failText: `backup ${short(facts)}: ${reason}` });
      break;
    case 'damaged':
      judged.push({
        condition,
        passed: false,
        severity: 'critical',
        failText: `drill of backup ${short(facts)} failed: ${reason}`,
      });
      break;
    case 'no-good-backup':
      judged.push({
        condition,
        passed: false,
        severity: 'critical',
        failText: `no backup left to drill: ${reason}`,
      });
      break;
    case 'could-not-run':
      judged.push({ condition, passed: false, severity: 'warning', failText: `drill could not run: ${reason}` });
      break;
    case 'no-identity':
    // The backup unit already warns that no identity is set; a second alert for the same missing setting would
    // only repeat it (and the freshness unit fires once the proof is overdue).
    case 'nothing-yet':
      break;
  }
  const ok =
    facts.drill === 'nothing-yet'
      ? `no backup to drill yet${reason ? ` (${reason})` : ''}`
      : facts.drill === 'no-identity'
        ? `drills wait for backup.encrypt.identity (the backup unit says what to set)`
        : `backup ${short(facts)} drilled: counts match`;
  return buildVerdict(judged, values, ok);
}

/** The verdict of the hourly freshness check. */
export function evaluateFreshness(alertAfterMs: number | null, observation: Observation): Verdict {
  const facts = observation.facts as unknown as { freshness?: FreshnessFacts };
  const fresh = judgeFreshness(facts.freshness, alertAfterMs, observedAt(observation));
  const newest = facts.freshness?.newestDrilledAt ?? null;
  const okText =
    newest === null
      ? 'no drilled backup yet (within the allowed time)'
      : `newest drilled backup ${formatDuration(Math.max(0, observedAt(observation) - newest))} old`;
  return buildVerdict(fresh.judged, fresh.values, okText);
}

/** Where a backup failure's reason (BackupError.reason, DatabaseError.reason) points, as a probe failure reason. */
export function failureReasonFor(backupReason: string, databaseReason?: string): FailureReason {
  if (databaseReason === 'unreachable' || databaseReason === 'auth') return 'connect';
  if (backupReason === 'aborted') return 'timeout';
  return 'other';
}

function short(facts: { backupId?: string }): string {
  return facts.backupId ? facts.backupId.slice(0, 8) : '?';
}

/** `1.2 MB`, in powers of 1000 as disks are sold. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
