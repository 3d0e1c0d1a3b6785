/** Where archives are stored: the BackupTarget interface, and the one place a plan's `to:` is resolved to a target. */
import type { Readable } from 'node:stream';
import { type LocalTargetOptions, localTarget } from './local-target.js';
import { PARTIAL } from './partial-names.js';
import { parseS3Url } from './s3-config.js';
import { type S3TargetOptions, s3Target } from './s3-target.js';
import { localPathOf } from './target-location.js';

export { localTarget };

/** Suffix of an archive still being written: listings ignore it, the next run removes it. */
export const PARTIAL_SUFFIX = PARTIAL;

/** One stored archive. */
export interface TargetEntry {
  name: string;
  sizeBytes: number;
  modifiedAt: number;
}

/** Storage for archives. Names are plain file names (no `/`); a name is only visible once complete. */
export interface BackupTarget {
  /** Where it stores, for people (`file:/srv/backups`). Never holds credentials. */
  readonly description: string;
  /**
   * Writes `stream` under a temporary name, makes it durable (fsync) and renames it to `name`; on any failure the
   * temporary file is removed and nothing appears under `name`. A full disk is a BackupError `target-full`.
   */
  put(name: string, stream: Readable, opts?: { signal?: AbortSignal; owner?: string }): Promise<{ sizeBytes: number }>;
  /** Streams a stored archive (errors with a `target` BackupError when it is missing). */
  get(name: string): Readable;
  /** Complete archives, by name; temporary files are not listed. */
  list(): Promise<TargetEntry[]>;
  /** Removes an archive; a missing one is not an error. */
  remove(name: string): Promise<void>;
  /** One archive's size and time, or undefined when missing. */
  stat(name: string): Promise<TargetEntry | undefined>;
  /**
   * Removes temporary files whose names start with `prefix` and whose writer (`owner`, `<host>-<pid>` by default) is
   * not live by `isLive` (all, without it). Returns the removed temporary names and the final names still being
   * written by live writers.
   */
  removePartials(prefix: string, isLive?: (owner: string) => boolean): Promise<{ removed: string[]; live: string[] }>;
}

/** Options for resolveTarget. */
export interface ResolveTargetOptions {
  /** Directory relative `file:` paths are read from (the plan file's directory). */
  baseDir: string;
  /** Passed to the local target (fault injection in tests). */
  local?: LocalTargetOptions;
  /** Where `s3://` targets read AWS_* settings and credentials (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Passed to S3 targets (part size, paging). */
  s3?: S3TargetOptions;
}

/**
 * Resolves a plan's `to:` (`file:./backups`, `file:///srv/backups`, a plain path, or `s3://bucket/prefix` with
 * AWS_* settings from the environment) to a target.
 */
export function resolveTarget(to: string, opts: ResolveTargetOptions): BackupTarget {
  const local = localPathOf(to, opts.baseDir);
  if (local !== undefined) return localTarget(local, opts.local);
  return s3Target(parseS3Url(to, opts.env ?? process.env), opts.s3);
}
