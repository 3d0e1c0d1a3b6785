/**
 * PostgreSQL behind the DatabaseAdapter: `pg` for the catalog, counts and scratch databases, `pg_dump -Fc` and
 * `pg_restore` for the artifact. Row counts and the dump share one exported snapshot, so they always agree.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { AdapterContext, Counts, DatabaseAdapter, DumpSummary, RestoreOptions } from './adapter.js';
import { DatabaseError } from './adapter.js';
import { CopyRowCounter } from './copy-row-counter.js';
import {
  connect,
  countRows,
  databaseErrorFrom,
  hasUserRelations,
  quoteIdent,
  userTables,
  withClient,
} from './postgres-catalog.js';
import {
  findTools,
  type PgTools,
  pgDumpArgs,
  pgRestoreArgs,
  scrubToolOutput,
  serverMajor,
  serverVersionText,
  toolConnection,
} from './postgres-tools.js';
import { describeExit, runTool } from './tool-process.js';

/** Options of a PostgreSQL adapter; the environment (PATH, UPKEEP_PG_BIN) is injectable for tests. */
export interface PostgresAdapterOptions {
  env?: NodeJS.ProcessEnv;
}

// pg_dump/pg_restore --verbose progress lines; the name is `schema.table` as they print it, quotes and all.
const DUMP_TABLE = /dumping contents of table "(.+)"$/;
const RESTORE_TABLE = /processing data for table "(.+)"$/;

/** Finds a PostgreSQL client tool fitting a server major version (any, when undefined). */
type FindTool = (server: number | undefined, tool: string) => Promise<PgTools>;

/** Builds a PostgreSQL adapter. */
export function createPostgresAdapter(options: PostgresAdapterOptions = {}): DatabaseAdapter {
  const find: FindTool = (server, tool) => findTools(server, { env: options.env, tool });
  return {
    engine: 'postgres',
    format: 'pgdump',
    compressed: true,
    preflight: (url) => preflight(url, find),
    dump(url, ctx) {
      const out = new PassThrough({ highWaterMark: 1 << 20 });
      const summary = runDump(url, ctx, out, find);
      // Callers await summary; this only keeps an unobserved rejection from crashing the process.
      summary.catch(() => {});
      return { stream: out, summary };
    },
    inspect: (plaintext, ctx) => inspectArchive(plaintext, ctx, find),
    restore: (plaintext, url, ctx, restoreOptions = {}) => restoreArchive(plaintext, url, ctx, restoreOptions, find),
    counts: countsOf,
    isEmpty: async (url) => !(await withClient(url, hasUserRelations)),
    scratch: scratchDatabase,
  };
}

async function serverInfo(url: string): Promise<{ major: number; text: string }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    const num = Number(rows[0]?.server_version_num);
    return { major: serverMajor(num), text: `PostgreSQL ${serverVersionText(num)}` };
  });
}

async function preflight(url: string, find: FindTool): Promise<{ server: string }> {
  const server = await serverInfo(url);
  const dump = await find(server.major, 'pg_dump');
  await find(undefined, 'pg_restore');
  return { server: `${server.text}; pg_dump ${dump.version} (${dump.binDir})` };
}

/** Exact row counts of every user table, in one read-only snapshot. */
function countsOf(url: string): Promise<Counts> {
  return withClient(url, async (client) => {
    await client.query('begin isolation level repeatable read read only');
    const result = await countRows(client, await userTables(client));
    await client.query('commit');
    return result;
  });
}

/** Row counts per table of an archive, from `pg_restore --data-only` to stdout (no server needed). */
async function inspectArchive(plaintext: Readable, ctx: AdapterContext, find: FindTool): Promise<Counts> {
  const tools = await find(undefined, 'pg_restore');
  const run = runTool(join(tools.binDir, 'pg_restore'), ['--data-only', '--file=-'], {}, { signal: ctx.signal });
  const counter = new CopyRowCounter();
  run.child.stdout.on('data', (chunk: Buffer) => counter.write(chunk));
  const feeding = feed(plaintext, run.child.stdin, ctx);
  const [exit, fed] = await Promise.all([run.exit, feeding]);
  if (fed.error) throw fed.error;
  if (exit.code !== 0) {
    throw new DatabaseError(
      `pg_restore could not read the archive (it ${describeExit(exit)}): ${scrubToolOutput(exit.stderr)}`,
      'other',
    );
  }
  return counter.end();
}

/** pg_restore of the archive into `url` in one transaction; returns the counts after it. */
async function restoreArchive(
  plaintext: Readable,
  url: string,
  ctx: AdapterContext,
  options: RestoreOptions,
  find: FindTool,
): Promise<Counts> {
  const tools = await find(undefined, 'pg_restore');
  const conn = toolConnection(url);
  const only = options.only?.map((key) => ({ schema: schemaOfKey(key), table: key.slice(key.indexOf('.') + 1) }));
  // pg_restore --schema selects the tables but not the schema itself: a schema the target lacks is made first.
  if (only)
    await createSchemas(
      url,
      only.map((t) => t.schema),
    );
  let done = 0;
  let bytes = 0;
  let current: string | undefined;
  const args = pgRestoreArgs(conn.dbname, { clean: options.replace === true, ...(only ? { only } : {}) });
  const run = runTool(join(tools.binDir, 'pg_restore'), args, conn.env, {
    signal: ctx.signal,
    onLine: (line) => {
      const match = RESTORE_TABLE.exec(line);
      if (!match?.[1]) return;
      if (current !== undefined) done++;
      current = match[1];
      ctx.progress?.({ bytes, current, done });
    },
  });
  run.child.stdout.resume();
  const feeding = feed(plaintext, run.child.stdin, ctx, (n) => {
    bytes += n;
    ctx.progress?.({ bytes, current, done });
  });
  const [exit, fed] = await Promise.all([run.exit, feeding]);
  if (ctx.signal.aborted) throw new DatabaseError('the restore was cancelled', 'other', { cause: ctx.signal.reason });
  if (fed.error) throw fed.error;
  if (exit.code !== 0) throw restoreFailure(scrubToolOutput(exit.stderr, conn.password), describeExit(exit), options);
  return countsOf(url);
}

function restoreFailure(detail: string, exit: string, options: RestoreOptions): DatabaseError {
  if (/could not connect|connection to server .* failed/i.test(detail)) {
    return new DatabaseError(`pg_restore could not reach the target: ${detail}`, 'unreachable');
  }
  return new DatabaseError(
    `pg_restore ${exit}; nothing was restored${options.replace ? ' or dropped' : ''} (one transaction): ${detail}`,
    'other',
  );
}

function schemaOfKey(key: string): string {
  return key.slice(0, key.indexOf('.'));
}

async function createSchemas(url: string, schemas: string[]): Promise<void> {
  await withClient(url, async (client) => {
    for (const schema of new Set(schemas)) await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  });
}

/** A temporary database on the server of `serverUrl` (from template0), and how to drop it. */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `upkeep_drill_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, async (client) => {
    try {
      // template0: whatever was added to template1 (extensions, tables) would collide with the restore.
      await client.query(`create database ${quoteIdent(name)} template template0`);
    } catch (err) {
      const e = databaseErrorFrom(err, `creating the scratch database ${name}`);
      if ((err as { code?: string }).code === '42501') {
        throw new DatabaseError(
          `${e.message}: give this user CREATEDB, or name a scratch server in the plan (or none, for a local one)`,
          'auth',
          { cause: err },
        );
      }
      throw e;
    }
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => dropDatabase(client, name)),
  };
}

/** The adapter upkeep uses: tools from PATH, UPKEEP_PG_BIN or /usr/lib/postgresql/<major>/bin. */
export const postgresAdapter: DatabaseAdapter = createPostgresAdapter();

async function dropDatabase(client: import('pg').Client, name: string): Promise<void> {
  try {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  } catch (err) {
    // Before PostgreSQL 13 there is no (force): end the drill's connections first, then drop.
    if ((err as { code?: string }).code !== '42601') throw err;
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await client.query(`drop database if exists ${quoteIdent(name)}`);
  }
}

/**
 * The dump: a REPEATABLE READ transaction exports its snapshot, pg_dump dumps at that snapshot while the same
 * transaction counts rows, and the stream ends only after pg_dump exited 0 and the counts are in (otherwise it
 * errors), so a consumer never mistakes a cut-off dump for a whole one.
 */
async function runDump(
  url: string,
  ctx: AdapterContext,
  out: PassThrough,
  find: (server: number | undefined, tool: string) => Promise<PgTools>,
): Promise<DumpSummary> {
  const conn = toolConnection(url);
  let client: import('pg').Client | undefined;
  let run: ReturnType<typeof runTool> | undefined;
  let finished = false;
  // The consumer gave up (its write failed, or it was aborted): stop pg_dump rather than leave it blocked.
  out.once('close', () => {
    if (!finished) run?.child.kill('SIGTERM');
  });
  try {
    client = await connect(url);
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    const num = Number(rows[0]?.server_version_num);
    const tools = await find(serverMajor(num), 'pg_dump');
    await client.query('begin isolation level repeatable read read only');
    const snap = await client.query<{ id: string }>('select pg_export_snapshot() as id');
    const tables = await userTables(client);
    ctx.signal.throwIfAborted();

    let bytes = 0;
    let done = 0;
    let current: string | undefined;
    const report = () => ctx.progress?.({ bytes, current, done, total: tables.length });
    run = runTool(join(tools.binDir, 'pg_dump'), pgDumpArgs(conn.dbname, snap.rows[0]?.id), conn.env, {
      signal: ctx.signal,
      onLine: (line) => {
        const match = DUMP_TABLE.exec(line);
        if (!match?.[1]) return;
        if (current !== undefined) done++;
        current = match[1];
        report();
      },
    });
    run.child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      report();
    });
    run.child.stdout.pipe(out, { end: false });

    // Counting runs beside pg_dump in the exporting transaction, which must stay open until pg_dump imported it.
    const counting = countRows(client, tables).then(
      (counts) => ({ counts }),
      (error: unknown) => ({ error }),
    );
    const exit = await run.exit;
    const counted = await counting;
    ctx.signal.throwIfAborted();
    if (exit.code !== 0) {
      throw new DatabaseError(
        `pg_dump ${describeExit(exit)} mid-dump: ${scrubToolOutput(exit.stderr, conn.password) || 'no message'}`,
        'mid-dump',
      );
    }
    if ('error' in counted) throw databaseErrorFrom(counted.error, 'counting rows', { midDump: true });
    await client.query('commit');
    finished = true;
    out.end();
    done = tables.length;
    current = undefined;
    report();
    return {
      counts: counted.counts,
      server: `PostgreSQL ${serverVersionText(num)}; pg_dump ${tools.version}; counts exact at the dump's snapshot`,
    };
  } catch (err) {
    finished = true;
    run?.child.kill('SIGTERM');
    const error = ctx.signal.aborted
      ? new DatabaseError('the dump was cancelled', 'other', { cause: ctx.signal.reason })
      : databaseErrorFrom(err, 'dumping', { midDump: client !== undefined });
    out.destroy(error);
    throw error;
  } finally {
    await client?.end().catch(() => {});
  }
}

/**
 * Pipes `source` into a tool's stdin. Resolves (never rejects) when the source ended or failed; a source error
 * (a corrupt or undecryptable backup upstream) is returned so it wins over the tool's complaint about short input.
 */
function feed(
  source: Readable,
  stdin: NodeJS.WritableStream,
  ctx: AdapterContext,
  onBytes?: (n: number) => void,
): Promise<{ error?: unknown }> {
  return new Promise((resolve) => {
    const onAbort = () => source.destroy(new DatabaseError('cancelled', 'other'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const settle = (error?: unknown) => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(error === undefined ? {} : { error });
    };
    if (onBytes) source.on('data', (chunk: Buffer) => onBytes(chunk.length));
    source.once('error', (err) => {
      stdin.end();
      settle(err);
    });
    source.once('end', () => settle());
    stdin.once('error', () => {
      // The tool quit early (its exit code explains why): stop reading the source.
      source.unpipe(stdin as never);
      source.resume();
    });
    source.pipe(stdin);
  });
}
