/** What the catalog knows about one backup, and the narrow catalog interface the pipeline writes through. */
import type { Counts } from '../databases/adapter.js';

/**
 * `running` while the pipeline writes; `taken` once the archive is under its final name; `checked` after a
 * checksum + decrypt + decompress read-through; `drilled` after a restore drill matched the counts; `failed` with the
 * reason when any of these went wrong.
 */
export type BackupState = 'running' | 'taken' | 'checked' | 'drilled' | 'failed';

/** Which step a failed backup failed in. */
export type BackupStage = 'backup' | 'check' | 'drill';

/**
 * One copy's state on one target: `running` while written, `written` once under its final name, `checked` after its
 * own read-through, `failed` (with the reason) when the write or its check failed.
 */
export type CopyState = 'running' | 'written' | 'checked' | 'failed';

/** One copy of a backup on one of its targets (a plan's `to:` list writes one per entry). */
export interface BackupCopy {
  /** The target's description (`file:/srv/backups`, `s3://bucket/prefix`; never credentials). */
  target: string;
  state: CopyState;
  sizeBytes: number | null;
  writtenAt: number | null;
  checkedAt: number | null;
  failedAt: number | null;
  reason: string | null;
}

/** The fields a copy's state change may set. */
export type CopyPatch = Partial<Omit<BackupCopy, 'target'>>;

/** One backup as recorded in the catalog. Never holds a secret: recipients are fingerprints of public keys. */
export interface BackupRecord {
  id: string;
  app: string;
  database: string;
  engine: 'mongodb' | 'postgres';
  /** Plaintext format of the adapter (`tar`, `pgdump`). */
  format: 'tar' | 'pgdump';
  /** The archive's final name inside the target. */
  file: string;
  /** The first target's description (see `copies` for every target; never holds credentials). */
  target: string;
  state: BackupState;
  startedAt: number;
  takenAt: number | null;
  checkedAt: number | null;
  drilledAt: number | null;
  failedAt: number | null;
  failedIn: BackupStage | null;
  /** Why it failed (or what a drill found), for people. */
  reason: string | null;
  /** Archive size on the target (ciphertext bytes). */
  sizeBytes: number | null;
  /** Plaintext bytes the database produced. */
  plaintextBytes: number | null;
  durationMs: number | null;
  /** Per-collection/table counts at dump time. */
  counts: Counts | null;
  /** Server description from the dump summary. */
  server: string | null;
  /** Whether the plaintext was gzipped by upkeep (false when the adapter's format is already compressed). */
  gzip: boolean;
  plaintextSha256: string | null;
  ciphertextSha256: string | null;
  /** Fingerprints of the age recipients the archive was encrypted to; empty means not encrypted. */
  recipients: string[];
  /** One per target, in the plan's order. The record's state is the backup's; each copy has its own. */
  copies: BackupCopy[];
}

/** The fields a state change may set (copies change through updateCopy). */
export type BackupPatch = Partial<
  Omit<BackupRecord, 'id' | 'app' | 'database' | 'engine' | 'format' | 'startedAt' | 'copies'>
>;

/** Where backups are recorded (src/backups/backup-store.ts on SQLite or PostgreSQL). */
export interface BackupCatalog {
  /** Records a new backup (state `running`) with its copies. */
  insert(record: BackupRecord): Promise<void>;
  /** Changes one copy of a backup; returns the record after it. */
  updateCopy(id: string, target: string, patch: CopyPatch): Promise<BackupRecord>;
  /** Adds a copy found on another target (a scan); a copy already recorded there is left as it is. */
  addCopy(id: string, copy: BackupCopy): Promise<BackupRecord>;
  /** Forgets one copy (after its file was removed from that target). */
  removeCopy(id: string, target: string): Promise<void>;
  /** Applies a state change; returns the record after it. */
  update(id: string, patch: BackupPatch): Promise<BackupRecord>;
  /** One backup, or undefined. */
  get(id: string): Promise<BackupRecord | undefined>;
  /** The backups of one database, newest first. */
  list(source: { app: string; database: string }): Promise<BackupRecord[]>;
  /** Forgets a backup (after its file was removed). */
  remove(id: string): Promise<void>;
}

/** True for the states that count as verified (retention counts only these). */
export function isVerified(state: BackupState): boolean {
  return state === 'checked' || state === 'drilled';
}

/** What is known when a backup starts; everything else starts empty. */
export type BackupStart = Pick<
  BackupRecord,
  'id' | 'app' | 'database' | 'engine' | 'format' | 'file' | 'startedAt' | 'gzip' | 'recipients'
> & { targets: readonly string[] };

/** A copy being written to `target`. */
export function runningCopy(target: string): BackupCopy {
  return { target, state: 'running', sizeBytes: null, writtenAt: null, checkedAt: null, failedAt: null, reason: null };
}

/** A copy that can be read (written, and not found damaged). */
export function isReadable(copy: BackupCopy): boolean {
  return copy.state === 'written' || copy.state === 'checked';
}

/** A new backup's record, state `running`, with nothing taken, checked or measured yet. */
export function runningBackup(start: BackupStart): BackupRecord {
  const { targets, ...rest } = start;
  return {
    ...rest,
    target: targets[0] ?? '',
    copies: targets.map(runningCopy),
    state: 'running',
    takenAt: null,
    checkedAt: null,
    drilledAt: null,
    failedAt: null,
    failedIn: null,
    reason: null,
    sizeBytes: null,
    plaintextBytes: null,
    durationMs: null,
    counts: null,
    server: null,
    plaintextSha256: null,
    ciphertextSha256: null,
  };
}
