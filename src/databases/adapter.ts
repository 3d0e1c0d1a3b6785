/**
 * The seam between backups and the databases upkeep maintains: mongodb.ts (official driver) and postgres.ts
 * (pg + pg_dump / pg_restore) implement it; the backup pipeline (src/backups) never knows which it talks to.
 */
import type { Readable } from 'node:stream';

/** Progress of a long dump or restore, for progress bars and logs. */
export interface TransferProgress {
  /** Plaintext bytes so far. */
  bytes: number;
  /** Collection or table being worked on, and how many of them are done / known. */
  current?: string;
  done: number;
  total?: number;
}

/** Per-collection (MongoDB) or per-table (PostgreSQL, `schema.table`) document/row counts. */
export type Counts = Record<string, number>;

/** What a dump recorded about the source at dump time. */
export interface DumpSummary {
  counts: Counts;
  /** Server version and anything else worth keeping beside the backup (never a secret). */
  server: string;
}

export interface AdapterContext {
  signal: AbortSignal;
  /** A private directory for temporary files of this run; removed by the caller afterwards. */
  tmpDir: string;
  progress?: (p: TransferProgress) => void;
}

/** How a restore treats what the target already holds. */
export interface RestoreOptions {
  /**
   * Drop each table / collection (and its indexes, constraints, views) the archive holds before loading it, like
   * `pg_restore --clean --if-exists` and `mongorestore --drop` (`upkeep restore --force`). PostgreSQL does it in the
   * restore's one transaction, so a failure changes nothing; MongoDB has no such transaction.
   */
  replace?: boolean;
  /**
   * Restore only these of the archive's tables (`schema.table`, by pg_restore's `-n`/`-t` rules: definition and
   * data, not indexes or constraints) or collections (with their indexes). Names are as the archive's counts say.
   */
  only?: readonly string[];
}

/** A database engine's backup and restore operations. Connection strings are given per call, never logged. */
export interface DatabaseAdapter {
  readonly engine: 'mongodb' | 'postgres';
  /**
   * The plaintext artifact's file suffix: `tar` for MongoDB (the `mongorestore` directory layout,
   * `<db>/<coll>.bson` + `<coll>.metadata.json`, in a tar), `pgdump` for PostgreSQL (`pg_dump -Fc` output).
   */
  readonly format: 'tar' | 'pgdump';
  /** Whether the plaintext is already compressed (pg_dump -Fc is): the pipeline then skips gzip. */
  readonly compressed: boolean;
  /**
   * Checks that `url` is reachable and the tools fit (pg_dump not older than the server, ...). Throws a
   * DatabaseError saying exactly what to install or fix.
   */
  preflight(url: string, ctx: AdapterContext): Promise<{ server: string }>;
  /**
   * Streams the plaintext artifact. `summary` resolves after the stream ended with the counts seen at dump time;
   * both reject (and the stream errors) when the source fails mid-dump.
   */
  dump(url: string, ctx: AdapterContext): { stream: Readable; summary: Promise<DumpSummary> };
  /** Lists what a plaintext artifact holds without restoring it (restore --dry-run). */
  inspect(plaintext: Readable, ctx: AdapterContext): Promise<Counts>;
  /**
   * Loads a plaintext artifact into `url`; returns the counts restored. Without `replace` the target must already be
   * checked empty; with it, every object the archive holds replaces the target's object of that name (others stay).
   */
  restore(plaintext: Readable, url: string, ctx: AdapterContext, options?: RestoreOptions): Promise<Counts>;
  /** Current counts of `url` (for drills: compared with the DumpSummary). */
  counts(url: string, ctx: AdapterContext): Promise<Counts>;
  /** True when `url` holds no user collections/tables. */
  isEmpty(url: string, ctx: AdapterContext): Promise<boolean>;
  /**
   * A scratch database for a restore drill on the same server as `serverUrl` (a temporary database name), or
   * per the engine's own rules; `drop()` removes it.
   */
  scratch(serverUrl: string, ctx: AdapterContext): Promise<{ url: string; drop(): Promise<void> }>;
}

/** A database or tool problem, said so a person can act on it; never a statement about upkeep itself. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    message: string,
    /** `unreachable`, `auth`, `tool-missing`, `tool-too-old`, `not-empty`, `mid-dump`, `other`. */
    readonly reason: 'unreachable' | 'auth' | 'tool-missing' | 'tool-too-old' | 'not-empty' | 'mid-dump' | 'other',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
