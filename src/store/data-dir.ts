/**
 * The data directory and the files upkeep keeps in it: owner-only whatever the umask. It holds the store (every run,
 * alert and backup record) and the channel key, so other users of the machine have no business reading it, and a
 * directory another user owns is refused: they could swap the files under upkeep, and files upkeep created there
 * would belong to the wrong user.
 */
import { chmodSync, closeSync, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { StoreError } from './errors.js';

/** Told about a fixable problem (a data directory others can read); the CLI prints it on stderr. */
export type WarnFn = (message: string) => void;

/** Writes a warning to stderr: the default when nobody injected a sink, so a CLI user always sees it. */
export const warnOnStderr: WarnFn = (message) => {
  process.stderr.write(`upkeep: warning: ${message}\n`);
};

// Both the store and the channel key prepare the same directory: one warning per directory and process is enough.
const warned = new Set<string>();

/**
 * Creates `dir` with mode 0700 when missing. An existing one must belong to the user running upkeep (a StoreError
 * says what to do otherwise); one that others can read or enter gets a warning naming the fix.
 */
export function prepareDataDir(dir: string, warn: WarnFn = warnOnStderr): void {
  let mode: number;
  try {
    const stats = statSync(dir);
    if (!stats.isDirectory()) {
      throw new StoreError(
        'open',
        `the data directory ${dir} is not a directory: point --data-dir (or UPKEEP_DATA_DIR) at a directory`,
      );
    }
    refuseForeignOwner('data directory', dir, stats.uid);
    mode = stats.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The umask only takes bits away, but say exactly what is meant: 0700, not whatever the umask leaves.
    chmodSync(dir, 0o700);
    return;
  }
  if ((mode & 0o077) !== 0 && !warned.has(dir)) {
    warned.add(dir);
    warn(
      `the data directory ${dir} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `it holds upkeep's store and channel key: chmod 700 ${dir}`,
    );
  }
}

/**
 * Makes `file` owner-only (0600): creates it empty with that mode when missing, tightens it when looser. SQLite gives
 * its -wal and -shm files the database file's mode, so creating the database this way covers all three.
 */
export function ownerOnlyFile(file: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    const stats = fstatSync(fd);
    refuseForeignOwner('file', file, stats.uid);
    if ((stats.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/** Tightens `file` to 0600 when it exists (a -wal or -shm left by an older upkeep); a missing file is fine. */
export function tightenIfPresent(file: string): void {
  try {
    if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function refuseForeignOwner(what: string, path: string, owner: number): void {
  const me = process.getuid?.();
  if (me === undefined || owner === me) return;
  throw new StoreError(
    'open',
    `the ${what} ${path} belongs to another user (uid ${owner}), not to the user running upkeep (uid ${me}): ` +
      'run upkeep as that user, or give it a data directory of its own with --data-dir (or UPKEEP_DATA_DIR), ' +
      `or take it over with: chown -R ${me} ${path}`,
  );
}
