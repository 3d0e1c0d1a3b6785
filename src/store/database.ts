/** Opens upkeep's own database: SQLite (better-sqlite3, WAL) by default, PostgreSQL (pg Pool) for a shared store. */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import pg from 'pg';
import { maskUrls } from '../shared/mask.js';
import { ownerOnlyFile, prepareDataDir, tightenIfPresent, type WarnFn } from './data-dir.js';
import { StoreError } from './errors.js';
import type { StoreSchema } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

/** Where the store lives. A postgres:// URL wins over the data dir. */
export interface DatabaseOptions {
  /** Directory for the SQLite file `upkeep.db`; created when missing. Default `./.upkeep`. */
  dataDir?: string;
  /** `postgres://` or `postgresql://` selects PostgreSQL. */
  databaseUrl?: string;
  /** SQLite busy timeout (ms): how long a writer waits for another process's write lock. */
  busyTimeoutMs?: number;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Told about a data directory others can read (default: a line on stderr). */
  onWarning?: WarnFn;
}

/** An open database with the handles tests and sizeBytes need. */
export interface Database {
  db: Kysely<StoreSchema>;
  dialect: StoreDialect;
  /** Redacted description for errors and logs: the SQLite path or the redacted URL. */
  where: string;
  /** The better-sqlite3 handle (SQLite only). */
  sqlite?: BetterSqlite3.Database;
  /** The pg pool (PostgreSQL only). */
  pool?: pg.Pool;
  /** Key of the process-wide write gate (SQLite only: the resolved file path). */
  gateKey?: string;
}

const INT8_OID = 20;

/** A connection URL with its password and query values masked, for errors and logs (src/shared/mask.ts). */
export const redactUrl: (url: string) => string = maskUrls;

/** True when the URL selects PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens SQLite in `<dataDir>/upkeep.db` or PostgreSQL at `databaseUrl`. Does not migrate. */
export function openDatabase(options: DatabaseOptions = {}): Database {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    if (!isPostgresUrl(options.databaseUrl)) {
      throw new StoreError(
        'open',
        `unsupported database URL ${redactUrl(options.databaseUrl)}: use postgres://user:pass@host:5432/db, or leave it unset for SQLite in the data dir`,
      );
    }
    return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  }
  return openSqlite(options.dataDir ?? './.upkeep', options.busyTimeoutMs ?? 5_000, options.onWarning);
}

function openSqlite(dataDir: string, busyTimeoutMs: number, onWarning?: WarnFn): Database {
  const dir = resolve(dataDir);
  const file = join(dir, 'upkeep.db');
  let handle: BetterSqlite3.Database;
  try {
    // Owner-only whatever the umask: SQLite would create the file 0644 and its -wal and -shm files like it.
    prepareDataDir(dir, onWarning);
    ownerOnlyFile(file);
    for (const suffix of ['-wal', '-shm']) tightenIfPresent(`${file}${suffix}`);
    handle = new BetterSqlite3(file);
    // WAL lets readers (dashboard, API) run beside the writer; NORMAL is durable across app crashes in WAL mode.
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    // Checkpoint (and fsync the database file) every ~40 MB of WAL instead of every 4 MB: a burst of ping batches
    // otherwise pays a checkpoint every other commit.
    handle.pragma('wal_autocheckpoint = 10000');
    handle.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  } catch (cause) {
    if (cause instanceof StoreError) throw cause; // already says what to do (another user's directory)
    throw new StoreError(
      'open',
      `cannot open the SQLite store at ${file}: ${(cause as Error).message}. Check --data-dir (or UPKEEP_DATA_DIR) points to a writable directory.`,
      { cause },
    );
  }
  const db = new Kysely<StoreSchema>({ dialect: new ImmediateSqliteDialect({ database: handle }) });
  return { db, dialect: 'sqlite', where: file, sqlite: handle, gateKey: file };
}

/**
 * SQLite transactions that take the write lock at BEGIN. With a deferred BEGIN, a transaction that reads first and
 * writes later fails at once with SQLITE_BUSY_SNAPSHOT when another process (say `upkeep run` beside `upkeep start`)
 * wrote in between; BEGIN IMMEDIATE waits for the lock under busy_timeout instead. upkeep only opens transactions
 * to write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // int8 (bigint ms timestamps, count(*)) as JS numbers: ms timestamps stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reports it as a StoreError.
  pool.on('error', () => {});
  const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', where: redactUrl(url), pool };
}

/** Approximate bytes used by the store: the SQLite file plus its WAL, or the sum of upkeep's PostgreSQL relations. */
export async function databaseSizeBytes(database: Database, tables: readonly string[]): Promise<number> {
  if (database.dialect === 'sqlite') {
    const file = database.where;
    let total = 0;
    for (const path of [file, `${file}-wal`]) {
      try {
        total += statSync(path).size;
      } catch {
        // The WAL file may not exist (yet): nothing to count.
      }
    }
    return total;
  }
  const result = await sql<{ bytes: number | string | null }>`
    select sum(pg_total_relation_size(c.oid)) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and c.relname in (${sql.join(tables)})`.execute(database.db);
  return Number(result.rows[0]?.bytes ?? 0);
}
