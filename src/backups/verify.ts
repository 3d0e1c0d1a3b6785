/**
 * Verification tiers. checkBackup: read the whole archive back (checksums, decrypt, decompress) → `checked`.
 * drillBackup: restore it into a scratch database and compare counts with what the dump recorded → `drilled`.
 * Any damage, wrong key or mismatch → `failed` with the reason, before anything is called verified.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import {
  type AdapterContext,
  type Counts,
  type DatabaseAdapter,
  DatabaseError,
  type TransferProgress,
} from '../databases/adapter.js';
import type { Clock } from '../schedule/clock.js';
import type { BackupCatalog, BackupRecord, BackupStage } from './backup-record.js';
import { BackupError } from './errors.js';
import { openPlaintext, type ReadArchiveOptions, readFailure } from './read-archive.js';

/** What checkBackup needs. */
export interface CheckOptions extends ReadArchiveOptions {
  catalog: BackupCatalog;
  clock: Clock;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Reads the archive through and records `checked` (a drilled backup keeps `drilled`), or `failed` with why. */
export async function checkBackup(record: BackupRecord, opts: CheckOptions): Promise<BackupRecord> {
  assertVerifiable(record);
  try {
    const plain = await openPlaintext(record, opts);
    await pipeline(plain, discard(), opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    const failure = readFailure(err);
    if (!isArchiveFault(failure)) throw failure;
    return markFailed(record, 'check', failure, opts);
  }
  const now = opts.clock.now();
  opts.logger?.info({ backup: record.id }, 'backup checked');
  return opts.catalog.update(record.id, {
    state: record.state === 'drilled' ? 'drilled' : 'checked',
    checkedAt: now,
    ...(record.state === 'failed' ? CLEARED : {}),
  });
}

/** Where a drill restores to: a temporary database on a named server, or one a provider makes (a local cluster). */
export type ScratchSource =
  | { serverUrl: string }
  | { provide: (ctx: AdapterContext) => Promise<{ url: string; drop(): Promise<void> }> };

/** What drillBackup needs. */
export interface DrillOptions extends CheckOptions {
  adapter: DatabaseAdapter;
  scratch: ScratchSource;
  progress?: (p: TransferProgress) => void;
  /** Parent for the drill's private temporary directory. */
  tmpDir?: string;
}

/**
 * Restores the archive into a scratch database, compares its counts with the recorded ones, drops the scratch and
 * records `drilled` or `failed` (listing the differences). A scratch server that cannot be reached is thrown, not
 * recorded: it says nothing about the backup.
 */
export async function drillBackup(record: BackupRecord, opts: DrillOptions): Promise<BackupRecord> {
  assertVerifiable(record);
  if (record.engine !== opts.adapter.engine) {
    throw new BackupError(
      `backup ${record.id} is a ${record.engine} backup; a ${opts.adapter.engine} adapter cannot drill it`,
      'config',
    );
  }
  const workDir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'upkeep-drill-'));
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const ctx: AdapterContext = {
    signal: controller.signal,
    tmpDir: workDir,
    ...(opts.progress ? { progress: opts.progress } : {}),
  };
  try {
    const scratch =
      'serverUrl' in opts.scratch
        ? await opts.adapter.scratch(opts.scratch.serverUrl, ctx)
        : await opts.scratch.provide(ctx);
    let restored: Counts;
    try {
      const plain = await openPlaintext(record, opts);
      let readThrough = false;
      plain.once('end', () => {
        readThrough = true;
      });
      await opts.adapter.restore(plain, scratch.url, ctx);
      if (!readThrough) {
        // The restore stopped reading early (pg_restore needs no trailing bytes), so the checksums at the very end
        // were never compared: read the archive through once more before calling it good.
        plain.destroy();
        await pipeline(await openPlaintext(record, opts), discard(), { signal: controller.signal });
      }
      restored = await opts.adapter.counts(scratch.url, ctx);
    } finally {
      await scratch.drop().catch((err: unknown) => opts.logger?.warn({ err }, 'could not drop the scratch database'));
    }
    const differences = compareCounts(record.counts ?? {}, restored);
    if (differences.length > 0) {
      return markFailed(
        record,
        'drill',
        new BackupError(`drill mismatch: ${differences.join('; ')}`, 'drill-mismatch'),
        opts,
      );
    }
    opts.logger?.info({ backup: record.id }, 'backup drilled');
    const now = opts.clock.now();
    return opts.catalog.update(record.id, {
      state: 'drilled',
      drilledAt: now,
      checkedAt: record.checkedAt ?? now,
      ...(record.state === 'failed' ? CLEARED : {}),
    });
  } catch (err) {
    controller.abort(err);
    // A drill stopped from outside (timeout, shutdown) says nothing about the archive: leave the record as it was.
    if (opts.signal?.aborted)
      throw new BackupError(`drill of backup ${record.id} cancelled`, 'aborted', { cause: err });
    if (err instanceof DatabaseError) {
      // The restore refusing the archive is the archive's fault; an unreachable scratch server or missing tool is not.
      if (err.reason === 'other' || err.reason === 'mid-dump') {
        return markFailed(
          record,
          'drill',
          new BackupError(`restore into the scratch database failed: ${err.message}`, 'integrity', { cause: err }),
          opts,
        );
      }
      throw new BackupError(`drill could not run: ${err.message}`, 'source', { cause: err });
    }
    const failure = readFailure(err);
    if (!isArchiveFault(failure)) throw failure;
    return markFailed(record, 'drill', failure, opts);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Differences between recorded and restored counts, for people ("orders: backup 120, restored 119"). Pure. */
export function compareCounts(expected: Counts, actual: Counts): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
    const want = expected[name];
    const got = actual[name];
    if (want === got) continue;
    if (got === undefined) out.push(`${name}: backup ${want}, missing after restore`);
    else if (want === undefined) out.push(`${name}: not in the backup, ${got} after restore`);
    else out.push(`${name}: backup ${want}, restored ${got}`);
  }
  return out;
}

/** A running backup, or one whose run failed, has no archive to verify; one that failed a check may be retried. */
function assertVerifiable(record: BackupRecord): void {
  if (record.state === 'running' || record.takenAt === null) {
    throw new BackupError(
      `backup ${record.id} is ${record.state}${record.reason ? ` (${record.reason})` : ''}: only a taken backup can be verified`,
      'config',
    );
  }
}

/** Clears an earlier check/drill failure once the archive verified after all (say, with the right identity). */
const CLEARED = { failedAt: null, failedIn: null, reason: null } as const;

/** A failure that says the archive itself is bad (damaged, wrong key, counts differ), not that it could not be read. */
export function isArchiveFault(err: BackupError): boolean {
  return err.reason === 'integrity' || err.reason === 'wrong-key' || err.reason === 'drill-mismatch';
}

async function markFailed(
  record: BackupRecord,
  stage: BackupStage,
  failure: BackupError,
  opts: CheckOptions,
): Promise<BackupRecord> {
  opts.logger?.warn({ backup: record.id, reason: failure.reason }, `backup ${stage} failed: ${failure.message}`);
  return opts.catalog.update(record.id, {
    state: 'failed',
    failedAt: opts.clock.now(),
    failedIn: stage,
    reason: failure.message,
  });
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}
