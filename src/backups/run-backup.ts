/**
 * The backup pipeline: adapter.dump() → SHA-256 of the plaintext → gzip (unless the format is compressed) → age →
 * SHA-256 of the ciphertext → every target at once (temporary name, fsync, rename). Streams end to end, one dump
 * for all targets; recorded in the catalog with one copy per target.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import { type DatabaseAdapter, DatabaseError, type DumpSummary, type TransferProgress } from '../databases/adapter.js';
import type { Clock } from '../schedule/clock.js';
import { encrypterFor, encryptStream, recipientFingerprint } from './age-crypto.js';
import { archiveName, archivePrefix } from './archive-name.js';
import { type BackupCatalog, type BackupPatch, type BackupRecord, runningBackup } from './backup-record.js';
import { BackupError } from './errors.js';
import { HashThrough } from './hash-through.js';
import type { BackupTarget } from './target.js';
import { DEFAULT_STALL_MS, stalledError, tee } from './tee.js';

/** Everything one backup run needs; the connection string is used, never logged or stored. */
export interface RunBackupOptions {
  adapter: DatabaseAdapter;
  url: string;
  source: { app: string; database: string };
  /** Where copies go, in the plan's order; a target that fails loses only its own copy. */
  targets: readonly BackupTarget[];
  /** How long one target may hold the others up (default: tee's). */
  stallMs?: number;
  /** age recipients (age1...); empty writes an unencrypted archive. */
  recipients: readonly string[];
  catalog: BackupCatalog;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  progress?: (p: TransferProgress) => void;
  /** Parent for this run's private temporary directory (default: the OS temp dir). */
  tmpDir?: string;
  /** Backup ids (default: random UUIDs). */
  newId?: () => string;
}

/**
 * Runs one backup; returns the `taken` record (its copies say which targets have it), or throws a BackupError after
 * recording the run as failed when no target got a copy.
 */
export async function runBackup(opts: RunBackupOptions): Promise<BackupRecord> {
  const { adapter, source, targets, catalog, clock, logger } = opts;
  const encrypter = opts.recipients.length > 0 ? encrypterFor(opts.recipients) : undefined;
  const log = logger.child({ app: source.app, database: source.database });
  await cleanUpInterrupted(opts, log);

  const record = newRecord(opts, encrypter !== undefined);
  const { id, startedAt, gzip } = record;
  await catalog.insert(record);
  log.info({ backup: id, file: record.file }, 'backup started');
  if (encrypter === undefined) log.warn({ backup: id }, 'backup is not encrypted: add encrypt.recipients to the plan');

  // Our own controller: a failure anywhere stops the dump too (the adapter kills pg_dump, closes cursors).
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const runTmp = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'upkeep-backup-'));
  let sourceFailed = false;
  let dumpStream: Readable | undefined;
  try {
    const ctx = {
      signal: controller.signal,
      tmpDir: runTmp,
      ...(opts.progress ? { progress: opts.progress } : {}),
    };
    const dump = adapter.dump(opts.url, ctx);
    dump.summary.catch(() => undefined); // awaited below; a rejection before that must not go unhandled
    dumpStream = dump.stream;
    dump.stream.once('error', () => {
      sourceFailed = true;
    });
    const plain = new HashThrough();
    const cipher = new HashThrough();
    // The archive must not be renamed into place before the dump's summary is known good.
    const summaryGate = awaitBeforeEnd(dump.summary);
    const pre = chain([dump.stream, summaryGate, plain, ...(gzip ? [createGzip()] : [])]);
    const encrypted = encrypter ? await encryptStream(pre, encrypter) : pre;
    const { puts, sizeBytes } = await writeCopies(chain([encrypted, cipher]), record.file, opts, controller.signal);
    const summary: DumpSummary = await dump.summary;
    const takenAt = clock.now();
    await recordCopies(id, targets, puts, { catalog, clock, log, url: opts.url, source });
    const taken = await catalog.update(id, {
      state: 'taken',
      takenAt,
      failedAt: null,
      failedIn: null,
      reason: null,
      sizeBytes,
      plaintextBytes: plain.bytes,
      durationMs: takenAt - startedAt,
      counts: summary.counts,
      server: summary.server,
      plaintextSha256: plain.hex(),
      ciphertextSha256: cipher.hex(),
    });
    log.info({ backup: id, sizeBytes, durationMs: takenAt - startedAt }, 'backup taken');
    return taken;
  } catch (err) {
    controller.abort(err);
    // A target that failed before reading anything leaves the dump paused: release it (cursors, pg_dump) now.
    dumpStream?.destroy();
    const failure = classify(err, { sourceFailed, aborted: opts.signal?.aborted === true, url: opts.url, source });
    const failedAt = clock.now();
    await failRecord(catalog, record, {
      state: 'failed',
      failedAt,
      failedIn: 'backup',
      reason: failure.message,
      durationMs: failedAt - startedAt,
    }).catch((storeErr: unknown) => log.error({ err: storeErr, backup: id }, 'could not record the failed backup'));
    log.warn({ backup: id, reason: failure.reason }, `backup failed: ${failure.message}`);
    throw failure;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await rm(runTmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The record of a backup starting now: its id, archive name and one running copy per target. */
function newRecord(opts: RunBackupOptions, encrypted: boolean): BackupRecord {
  const { adapter, source } = opts;
  const startedAt = opts.clock.now();
  const id = (opts.newId ?? randomUUID)();
  const gzip = !adapter.compressed;
  return runningBackup({
    id,
    app: source.app,
    database: source.database,
    engine: adapter.engine,
    format: adapter.format,
    file: archiveName({ ...source, startedAt, id, format: adapter.format, gzip, encrypted }),
    targets: opts.targets.map((t) => t.description),
    startedAt,
    gzip,
    recipients: opts.recipients.map(recipientFingerprint),
  });
}

/**
 * Cleans up after runs of this database that never finished (upkeep was killed): removes their temporary files and
 * marks their rows failed. A run still in progress elsewhere (another process on this host that is alive, or another
 * host, which cannot be asked) is left alone.
 */
async function cleanUpInterrupted(opts: RunBackupOptions, log: Logger): Promise<void> {
  const live: string[] = [];
  const failures: unknown[] = [];
  for (const target of opts.targets) {
    try {
      const found = await target.removePartials(archivePrefix(opts.source), ownerIsLive);
      if (found.removed.length > 0)
        log.info({ files: found.removed }, 'removed partial archives of interrupted backups');
      live.push(...found.live);
    } catch (err) {
      // One target that cannot be reached must not stop the copies to the others: its own write will fail and say so.
      failures.push(err);
      log.warn({ err, target: target.description }, 'could not clean up partial archives');
    }
  }
  if (failures.length === opts.targets.length) throw failures[0];
  const stale = (await opts.catalog.list(opts.source)).filter((b) => b.state === 'running' && !live.includes(b.file));
  for (const b of stale) {
    await failRecord(opts.catalog, b, {
      state: 'failed',
      failedAt: opts.clock.now(),
      failedIn: 'backup',
      reason: 'interrupted: upkeep stopped before this backup finished; its partial file was removed',
    });
  }
}

/**
 * Writes the archive to every target at once (one target reads it directly, as it always did: no one to go on
 * without, so no stall limit either). Returns each put's outcome, or throws the first target's failure when no target
 * got a copy (the only one's, with a single target).
 */
async function writeCopies(
  archive: Readable,
  file: string,
  opts: RunBackupOptions,
  signal: AbortSignal,
): Promise<{ puts: PromiseSettledResult<{ sizeBytes: number }>[]; sizeBytes: number }> {
  const { targets } = opts;
  const branches =
    targets.length === 1
      ? [archive]
      : tee(archive, targets.length, {
          names: targets.map((t) => t.description),
          ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
        });
  // With one target there is no one to go on without, so no stall limit; with several, a put that took the whole
  // archive but does not finish in time is given up too (its data may sit in buffers past the branch tee watches).
  const finishMs = targets.length === 1 ? undefined : (opts.stallMs ?? DEFAULT_STALL_MS);
  const puts = await Promise.allSettled(
    targets.map((t, i) => putCopy(t, file, branches[i] as Readable, signal, finishMs)),
  );
  const written = puts.find((p) => p.status === 'fulfilled');
  if (written === undefined) throw (puts[0] as PromiseRejectedResult).reason;
  return { puts, sizeBytes: written.value.sizeBytes };
}

/**
 * Writes one copy; a put that failed before reading its branch releases it, so the other copies go on. With
 * `finishMs`, a put still unfinished that long after it read its branch to the end is cancelled as stalled.
 */
async function putCopy(
  target: BackupTarget,
  name: string,
  branch: Readable,
  signal: AbortSignal,
  finishMs?: number,
): Promise<{ sizeBytes: number }> {
  const own = new AbortController();
  const onAbort = () => own.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let stalled: BackupError | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (finishMs !== undefined) {
    branch.once('end', () => {
      timer = setTimeout(() => {
        stalled = stalledError(target.description, finishMs);
        own.abort(stalled);
      }, finishMs);
    });
  }
  try {
    return await target.put(name, branch, { signal: own.signal });
  } catch (err) {
    branch.destroy();
    throw stalled ?? err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Records each copy as written or failed (with its own reason, free of the connection string's secrets). */
async function recordCopies(
  id: string,
  targets: readonly BackupTarget[],
  puts: readonly PromiseSettledResult<{ sizeBytes: number }>[],
  ctx: { catalog: BackupCatalog; clock: Clock; log: Logger; url: string; source: { app: string; database: string } },
): Promise<void> {
  for (const [i, put] of puts.entries()) {
    const target = (targets[i] as BackupTarget).description;
    const at = ctx.clock.now();
    if (put.status === 'fulfilled') {
      await ctx.catalog.updateCopy(id, target, { state: 'written', sizeBytes: put.value.sizeBytes, writtenAt: at });
      continue;
    }
    const failure = classify(put.reason, { sourceFailed: false, aborted: false, url: ctx.url, source: ctx.source });
    ctx.log.warn({ backup: id, target, reason: failure.reason }, `copy to ${target} failed: ${failure.message}`);
    await ctx.catalog.updateCopy(id, target, { state: 'failed', failedAt: at, reason: failure.message });
  }
}

/** Records a backup failed, and every copy of it that was still being written. */
async function failRecord(catalog: BackupCatalog, record: BackupRecord, patch: BackupPatch): Promise<void> {
  await catalog.update(record.id, patch);
  for (const copy of record.copies.filter((c) => c.state === 'running')) {
    await catalog.updateCopy(record.id, copy.target, {
      state: 'failed',
      failedAt: patch.failedAt ?? null,
      reason: patch.reason ?? null,
    });
  }
}

/** Whether the writer `<host>-<pid>` may still be running: a live pid on this host, or any other host. */
export function ownerIsLive(owner: string): boolean {
  const dash = owner.lastIndexOf('-');
  const host = owner.slice(0, dash);
  const pid = Number(owner.slice(dash + 1));
  if (host !== hostname().replace(/[^A-Za-z0-9-]/g, '-')) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Pipes streams together (errors propagate both ways) and returns the last, readable end. */
function chain(streams: Readable[]): Readable {
  if (streams.length === 1) return streams[0] as Readable;
  // The callback form returns the last stream; errors reach it, and whoever reads it sees them.
  return pipeline(streams, () => undefined) as unknown as Readable;
}

/** A pass-through that only ends once `promise` resolved, and fails with its rejection. */
function awaitBeforeEnd(promise: Promise<unknown>): Transform {
  return new Transform({
    transform(chunk, _enc, cb) {
      cb(null, chunk);
    },
    flush(cb) {
      promise.then(
        () => cb(),
        (err: Error) => cb(err),
      );
    },
  });
}

/** Says whose fault a failure is, with a message free of the connection string's secrets. */
function classify(
  err: unknown,
  ctx: { sourceFailed: boolean; aborted: boolean; url: string; source: { app: string; database: string } },
): BackupError {
  const where = `${ctx.source.app}/${ctx.source.database}`;
  const detail = scrub(err instanceof Error ? err.message : String(err), ctx.url);
  // A target write fails too when the dump feeding it fails: the source's failure is the one to report. This is
  // decided here, not in the target: pipeline() destroys every stage with the dump's error, and the write stage's
  // 'error' can fire before the source's, so the target cannot tell whose fault it was. A DatabaseError can only
  // have come from the dump.
  if (err instanceof BackupError && err.reason === 'target' && err.cause instanceof DatabaseError) {
    return new BackupError(`dump of ${where} failed: ${scrub(err.cause.message, ctx.url)}`, 'source', {
      cause: err.cause,
    });
  }
  if (err instanceof BackupError)
    return err.reason === 'source' ? err : new BackupError(scrub(err.message, ctx.url), err.reason, { cause: err });
  if (ctx.aborted) return new BackupError(`backup of ${where} cancelled`, 'aborted', { cause: err });
  if (err instanceof DatabaseError || ctx.sourceFailed) {
    return new BackupError(`dump of ${where} failed: ${detail}`, 'source', { cause: err });
  }
  return new BackupError(`backup of ${where} failed inside upkeep: ${detail}`, 'internal', { cause: err });
}

/** Removes a connection string's password (and the whole URL) from a message, in case an error echoed it. */
export function scrub(message: string, url: string): string {
  let out = message.split(url).join('<database url>');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password.length >= 3) out = out.split(password).join('***');
  } catch {
    // Not a URL (a socket path, say): nothing more to hide.
  }
  return out;
}
