/** What upkeep asks a PostgreSQL server through `pg`: user tables, exact row counts, and errors said plainly. */
import pg from 'pg';
import type { Counts } from './adapter.js';
import { DatabaseError } from './adapter.js';
import { scrubToolOutput } from './postgres-tools.js';

/**
 * User tables whose rows pg_dump dumps: ordinary tables (leaf partitions included, partitioned parents excluded
 * so no row is counted twice) outside the system schemas, not owned by an extension (pg_dump skips those).
 */
const USER_TABLES_SQL = `
  select n.nspname as schema, c.relname as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r'
    and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
  order by 1, 2`;

/** Any user relation (table, partitioned table, view, materialized view, sequence, foreign table). */
const ANY_USER_RELATION_SQL = `
  select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
  limit 1`;

/** A user table as `schema.table` plus its quoted form for SQL. */
export interface UserTable {
  key: string;
  sql: string;
}

/** Quotes an identifier for SQL ("" doubles quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The server's user tables (see USER_TABLES_SQL), sorted. */
export async function userTables(client: pg.ClientBase): Promise<UserTable[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(USER_TABLES_SQL);
  return rows.map((r) => ({ key: `${r.schema}.${r.name}`, sql: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}` }));
}

/** True when the database holds any user relation. */
export async function hasUserRelations(client: pg.ClientBase): Promise<boolean> {
  const { rowCount } = await client.query(ANY_USER_RELATION_SQL);
  return (rowCount ?? 0) > 0;
}

/** Exact `count(*)` of each table, in the caller's transaction (so one snapshot covers them all). */
export async function countRows(client: pg.ClientBase, tables: UserTable[]): Promise<Counts> {
  const counts: Counts = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${table.sql}`);
    counts[table.key] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/**
 * Turns a `pg` or network error into a DatabaseError naming what to fix; `during` says what was going on
 * ("connecting", "counting rows"). A connection lost after it was made is 'mid-dump' when `midDump` is set.
 */
export function databaseErrorFrom(err: unknown, during: string, options: { midDump?: boolean } = {}): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const e = err as { code?: string; message?: string };
  const text = scrubToolOutput(e?.message ?? String(err));
  const code = e?.code ?? '';
  if (UNREACHABLE_CODES.has(code) || /timeout expired|Connection terminated due to connection timeout/i.test(text)) {
    return new DatabaseError(
      `PostgreSQL is unreachable while ${during}: ${text}; check the host, port and that the server is running`,
      'unreachable',
      { cause: err },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new DatabaseError(
      `PostgreSQL refused the login while ${during}: ${text}; check the user and password in the connection string`,
      'auth',
      { cause: err },
    );
  }
  const lost = code.startsWith('57P') || /Connection terminated|terminating connection/i.test(text);
  if (lost && options.midDump) {
    return new DatabaseError(`the PostgreSQL connection was lost while ${during}: ${text}`, 'mid-dump', { cause: err });
  }
  if (lost) {
    return new DatabaseError(`the PostgreSQL connection was lost while ${during}: ${text}`, 'unreachable', {
      cause: err,
    });
  }
  if (code === '3D000') {
    return new DatabaseError(`${text} (while ${during}): check the database name in the connection string`, 'other', {
      cause: err,
    });
  }
  return new DatabaseError(`PostgreSQL failed while ${during}: ${text}`, 'other', { cause: err });
}

/** Opens a client to `url` (errors as DatabaseError), runs fn, and always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } catch (err) {
    throw databaseErrorFrom(err, 'querying');
  } finally {
    await client.end().catch(() => {});
  }
}

/** A connected client; connection failures become DatabaseError ('unreachable', 'auth', ...). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw databaseErrorFrom(err, 'connecting');
  }
  return client;
}
