/**
 * Where a running `upkeep start` is reached, recorded in the store (so it works across machines on PostgreSQL too):
 * `upkeep status` and `upkeep exec` in another shell then show and use the ping URLs that server really answers,
 * not a guess at port 8080. Rows live in `upkeep_meta` under `listener:<worker>`, refreshed while the server runs
 * and removed when it stops; a row whose process is gone (same host) or that was not refreshed lately is ignored.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../schedule/clock.js';
import type { Database } from '../store/database.js';
import type { MetaTable } from '../store/schema.js';
import { withWriteGate } from '../store/write-gate.js';

const PREFIX = 'listener:';
/** How often a running server says it is still there. */
const REFRESH_MS = 15_000;
/** A record not refreshed for this long belongs to a server that died without removing it (another host's). */
const STALE_MS = 3 * REFRESH_MS;

interface ListenerRow {
  url: string;
  host: string;
  pid: number;
  seenAt: number;
}

/** A running record: stop() removes it. */
export interface ListenRecord {
  stop(): Promise<void>;
}

/** Records that this process serves pings at `url`, refreshes the record until stop(), then removes it. */
export async function recordListener(
  database: Database,
  opts: { worker: string; url: string; clock: Clock; logger: Pick<Logger, 'warn'> },
): Promise<ListenRecord> {
  const db = database.db as unknown as Kysely<{ upkeep_meta: MetaTable }>;
  const key = `${PREFIX}${opts.worker}`;
  const write = () => {
    const row: ListenerRow = { url: opts.url, host: hostname(), pid: process.pid, seenAt: opts.clock.now() };
    const value = JSON.stringify(row);
    return withWriteGate(database.gateKey, () =>
      db
        .insertInto('upkeep_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute(),
    );
  };
  // Only a convenience for other commands: a failed write never stops the server.
  const quietly = (what: string) => (err: unknown) => opts.logger.warn({ err }, `could not ${what} the listen record`);
  await write().catch(quietly('write'));
  const timer = setInterval(() => void write().catch(quietly('refresh')), REFRESH_MS).unref();
  return {
    async stop() {
      clearInterval(timer);
      await withWriteGate(database.gateKey, () => db.deleteFrom('upkeep_meta').where('key', '=', key).execute()).catch(
        quietly('remove'),
      );
    },
  };
}

/** A running `upkeep start` as its record says: its worker name, URL, host and process id. */
export interface RunningListener extends ListenerRow {
  worker: string;
}

/** Every running `upkeep start` recorded in the store, most recently seen first (`upkeep reload` signals them). */
export async function runningListeners(database: Database, now: number): Promise<RunningListener[]> {
  const db = database.db as unknown as Kysely<{ upkeep_meta: MetaTable }>;
  const rows = await db.selectFrom('upkeep_meta').selectAll().where('key', 'like', `${PREFIX}%`).execute();
  return rows
    .map((r) => {
      const row = parseRow(r.value);
      return row && { ...row, worker: r.key.slice(PREFIX.length) };
    })
    .filter((r): r is RunningListener => r !== undefined && now - r.seenAt < STALE_MS && alive(r))
    .sort((a, b) => b.seenAt - a.seenAt);
}

/** The URL of the most recently seen running `upkeep start`, or undefined when none is running. */
export async function runningListenerUrl(database: Database, now: number): Promise<string | undefined> {
  return (await runningListeners(database, now))[0]?.url;
}

function parseRow(value: string): ListenerRow | undefined {
  try {
    const row = JSON.parse(value) as Partial<ListenerRow>;
    if (typeof row.url !== 'string' || typeof row.seenAt !== 'number' || typeof row.pid !== 'number') return undefined;
    return row as ListenerRow;
  } catch {
    return undefined;
  }
}

/** On this host a record outlives a killed process (kill -9): the process table says whether it still runs. */
function alive(row: ListenerRow): boolean {
  if (row.host !== hostname()) return true;
  try {
    process.kill(row.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

/**
 * The base of the ping URLs another command shows or uses: --url, else UPKEEP_PUBLIC_URL, else where the running
 * `upkeep start` listens, else UPKEEP_HOST:UPKEEP_PORT (where a start with the same environment would listen).
 */
export async function pingBaseUrl(
  database: Database,
  env: Readonly<Record<string, string | undefined>>,
  urlOption: string | undefined,
  now: number,
): Promise<string> {
  const given = urlOption ?? env.UPKEEP_PUBLIC_URL ?? (await runningListenerUrl(database, now));
  const base = given ?? `http://${env.UPKEEP_HOST ?? '127.0.0.1'}:${env.UPKEEP_PORT ?? '8080'}`;
  return base.replace(/\/+$/, '');
}
