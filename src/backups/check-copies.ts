/**
 * The read-through after a backup, for every copy it has: each copy on each target is read back on its own
 * (checksums, decrypt, decompress) and recorded `checked` or `failed`. The backup is `checked` when at least one copy
 * is; when every copy is damaged it is `failed` in the check, as a single copy's damage always made it.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Clock } from '../schedule/clock.js';
import type { BackupCatalog, BackupRecord } from './backup-record.js';
import type { BackupError } from './errors.js';
import { openPlaintext, readFailure } from './read-archive.js';
import type { BackupTarget } from './target.js';
import { isArchiveFault } from './verify.js';

/** What checkCopies needs: the targets by description, and the identities that decrypt. */
export interface CheckCopiesOptions {
  targets: readonly BackupTarget[];
  identities: readonly string[];
  catalog: BackupCatalog;
  clock: Clock;
  logger?: Logger;
  signal?: AbortSignal;
}

/** One copy's read-through: passed, or why not (`damaged`: the archive is bad; `unreadable`: it could not be read). */
export interface CopyCheck {
  target: string;
  result: 'passed' | 'damaged' | 'unreadable';
  error?: string;
}

/** Checks every written copy of `record`; returns the record after it and each copy's result, in the plan's order. */
export async function checkCopies(
  record: BackupRecord,
  opts: CheckCopiesOptions,
): Promise<{ record: BackupRecord; checks: CopyCheck[] }> {
  const checks: CopyCheck[] = [];
  let firstUnreadable: BackupError | undefined;
  let firstDamage: BackupError | undefined;
  for (const copy of record.copies.filter((c) => c.state === 'written' || c.state === 'checked')) {
    const target = opts.targets.find((t) => t.description === copy.target);
    if (target === undefined) continue;
    const failure = await readThrough(record, target, opts);
    const now = opts.clock.now();
    if (failure === undefined) {
      checks.push({ target: copy.target, result: 'passed' });
      await opts.catalog.updateCopy(record.id, copy.target, { state: 'checked', checkedAt: now });
    } else if (isArchiveFault(failure)) {
      firstDamage ??= failure;
      checks.push({ target: copy.target, result: 'damaged', error: failure.message });
      opts.logger?.warn({ backup: record.id, target: copy.target }, `copy check failed: ${failure.message}`);
      await opts.catalog.updateCopy(record.id, copy.target, {
        state: 'failed',
        failedAt: now,
        reason: failure.message,
      });
    } else {
      // Not the archive's fault (the target went away, say): the copy may well be fine, so it keeps its state.
      firstUnreadable ??= failure;
      checks.push({ target: copy.target, result: 'unreadable', error: failure.message });
    }
  }
  return { record: await settle(record, checks, { firstDamage, firstUnreadable }, opts), checks };
}

/** The backup's own state after its copies were checked. */
async function settle(
  record: BackupRecord,
  checks: readonly CopyCheck[],
  first: { firstDamage: BackupError | undefined; firstUnreadable: BackupError | undefined },
  opts: CheckCopiesOptions,
): Promise<BackupRecord> {
  if (checks.some((c) => c.result === 'passed')) {
    opts.logger?.info({ backup: record.id }, 'backup checked');
    return opts.catalog.update(record.id, {
      state: record.state === 'drilled' ? 'drilled' : 'checked',
      checkedAt: opts.clock.now(),
      ...(record.state === 'failed' ? { failedAt: null, failedIn: null, reason: null } : {}),
    });
  }
  // No copy could be read at all: that says nothing about the backup (as with a single target, it is thrown).
  if (first.firstDamage === undefined) {
    if (first.firstUnreadable) throw first.firstUnreadable;
    return (await opts.catalog.get(record.id)) ?? record;
  }
  opts.logger?.warn({ backup: record.id }, `backup check failed: ${first.firstDamage.message}`);
  return opts.catalog.update(record.id, {
    state: 'failed',
    failedAt: opts.clock.now(),
    failedIn: 'check',
    reason: first.firstDamage.message,
  });
}

/** Reads one copy to its end; undefined when its checksums, key and compression all held. */
async function readThrough(
  record: BackupRecord,
  target: BackupTarget,
  opts: CheckCopiesOptions,
): Promise<BackupError | undefined> {
  try {
    const plain = await openPlaintext(record, { target, identities: opts.identities });
    await pipeline(plain, discard(), opts.signal ? { signal: opts.signal } : {});
    return undefined;
  } catch (err) {
    return readFailure(err);
  }
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}
