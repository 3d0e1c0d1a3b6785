/** Row types of the backup catalog (migrations 0004, 0005) and their mapping to BackupRecord. Pure. */
import type { Counts } from '../databases/adapter.js';
import type { StoreSchema } from '../store/schema.js';
import type {
  BackupCopy,
  BackupPatch,
  BackupRecord,
  BackupStage,
  BackupState,
  CopyPatch,
  CopyState,
} from './backup-record.js';

/** `backups`: one row per backup run. */
export interface BackupsTable {
  id: string;
  app: string;
  database_name: string;
  engine: string;
  format: string;
  file: string;
  target: string;
  state: string;
  started_at: number;
  taken_at: number | null;
  checked_at: number | null;
  drilled_at: number | null;
  failed_at: number | null;
  failed_in: string | null;
  reason: string | null;
  size_bytes: number | null;
  plaintext_bytes: number | null;
  duration_ms: number | null;
  /** Counts as JSON. */
  counts_json: string | null;
  server: string | null;
  gzip: number;
  plaintext_sha256: string | null;
  ciphertext_sha256: string | null;
  /** Recipient fingerprints as a JSON array. */
  recipients_json: string;
}

/** `backup_copies`: one row per copy of a backup on one target. */
export interface BackupCopiesTable {
  backup_id: string;
  target: string;
  position: number;
  state: string;
  size_bytes: number | null;
  written_at: number | null;
  checked_at: number | null;
  failed_at: number | null;
  reason: string | null;
}

/** The store's tables plus the backup catalog. */
export interface BackupSchema extends StoreSchema {
  backups: BackupsTable;
  backup_copies: BackupCopiesTable;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** A backup_copies row as a copy. */
export function copyFromRow(row: BackupCopiesTable): BackupCopy {
  return {
    target: row.target,
    state: row.state as CopyState,
    sizeBytes: num(row.size_bytes),
    writtenAt: num(row.written_at),
    checkedAt: num(row.checked_at),
    failedAt: num(row.failed_at),
    reason: row.reason,
  };
}

/** A copy as a row of backup `id`, at `position` in its list. */
export function copyToRow(id: string, c: BackupCopy, position: number): BackupCopiesTable {
  return { backup_id: id, target: c.target, position, ...copyPatchToRow(c) } as BackupCopiesTable;
}

/** The columns a copy patch sets (only the keys present). */
export function copyPatchToRow(p: CopyPatch): Partial<BackupCopiesTable> {
  const row: Partial<BackupCopiesTable> = {};
  if (p.state !== undefined) row.state = p.state;
  if (p.sizeBytes !== undefined) row.size_bytes = p.sizeBytes;
  if (p.writtenAt !== undefined) row.written_at = p.writtenAt;
  if (p.checkedAt !== undefined) row.checked_at = p.checkedAt;
  if (p.failedAt !== undefined) row.failed_at = p.failedAt;
  if (p.reason !== undefined) row.reason = p.reason;
  return row;
}

/** A backups row and its copies (in the plan's order, as inserted) as a record. */
export function backupFromRow(row: BackupsTable, copies: readonly BackupCopy[] = []): BackupRecord {
  return {
    id: row.id,
    app: row.app,
    database: row.database_name,
    engine: row.engine as BackupRecord['engine'],
    format: row.format as BackupRecord['format'],
    file: row.file,
    target: row.target,
    state: row.state as BackupState,
    startedAt: Number(row.started_at),
    takenAt: num(row.taken_at),
    checkedAt: num(row.checked_at),
    drilledAt: num(row.drilled_at),
    failedAt: num(row.failed_at),
    failedIn: row.failed_in as BackupStage | null,
    reason: row.reason,
    sizeBytes: num(row.size_bytes),
    plaintextBytes: num(row.plaintext_bytes),
    durationMs: num(row.duration_ms),
    counts: row.counts_json === null ? null : (JSON.parse(row.counts_json) as Counts),
    server: row.server,
    gzip: Number(row.gzip) === 1,
    plaintextSha256: row.plaintext_sha256,
    ciphertextSha256: row.ciphertext_sha256,
    recipients: JSON.parse(row.recipients_json) as string[],
    copies: [...copies],
  };
}

/** A whole record as a row (its copies are rows of their own). */
export function backupToRow(r: BackupRecord): BackupsTable {
  return {
    id: r.id,
    app: r.app,
    database_name: r.database,
    engine: r.engine,
    format: r.format,
    started_at: r.startedAt,
    ...patchToRow(r),
  } as BackupsTable;
}

/** The columns a patch sets (only the keys present). */
export function patchToRow(p: BackupPatch): Partial<BackupsTable> {
  const row: Partial<BackupsTable> = {};
  if (p.file !== undefined) row.file = p.file;
  if (p.target !== undefined) row.target = p.target;
  if (p.state !== undefined) row.state = p.state;
  if (p.takenAt !== undefined) row.taken_at = p.takenAt;
  if (p.checkedAt !== undefined) row.checked_at = p.checkedAt;
  if (p.drilledAt !== undefined) row.drilled_at = p.drilledAt;
  if (p.failedAt !== undefined) row.failed_at = p.failedAt;
  if (p.failedIn !== undefined) row.failed_in = p.failedIn;
  if (p.reason !== undefined) row.reason = p.reason;
  if (p.sizeBytes !== undefined) row.size_bytes = p.sizeBytes;
  if (p.plaintextBytes !== undefined) row.plaintext_bytes = p.plaintextBytes;
  if (p.durationMs !== undefined) row.duration_ms = p.durationMs;
  if (p.counts !== undefined) row.counts_json = p.counts === null ? null : JSON.stringify(p.counts);
  if (p.server !== undefined) row.server = p.server;
  if (p.gzip !== undefined) row.gzip = p.gzip ? 1 : 0;
  if (p.plaintextSha256 !== undefined) row.plaintext_sha256 = p.plaintextSha256;
  if (p.ciphertextSha256 !== undefined) row.ciphertext_sha256 = p.ciphertextSha256;
  if (p.recipients !== undefined) row.recipients_json = JSON.stringify(p.recipients);
  return row;
}
