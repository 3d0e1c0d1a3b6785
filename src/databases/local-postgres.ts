/**
 * A throwaway local PostgreSQL for restore drills when the plan names no scratch server: initdb into a private
 * directory under baseDir, pg_ctl start on a free 127.0.0.1 port with a random password, stop() removes it all.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { DatabaseError } from './adapter.js';
import { findTools, scrubToolOutput } from './postgres-tools.js';

/** Where to put the cluster and whom to tell; env (PATH, UPKEEP_PG_BIN) is injectable for tests. */
export interface LocalPostgresOptions {
  /** A directory the cluster's own directory is created in (it must be reachable by the `postgres` user as root). */
  baseDir: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/** A running local cluster: a superuser URL (its password is random and never logged) and stop(). */
export interface LocalPostgres {
  url: string;
  /** Stops the server and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Unix socket paths are limited to ~107 bytes; beyond that the cluster listens on TCP only. */
const MAX_SOCKET_DIR = 90;

interface RunAs {
  user?: string;
  uid?: number;
  gid?: number;
}

/** Starts a local cluster; rejects with a DatabaseError saying what to install or fix. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const initdb = await findTools(undefined, { env: options.env, tool: 'initdb' });
  const bin = (name: string) => join(initdb.binDir, name);
  const runAs = await postgresUser();
  const dir = await mkdtemp(join(resolve(options.baseDir), 'upkeep-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  let running = false;
  const stop = async () => {
    if (running) {
      running = false;
      try {
        await run(runAs, bin('pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
      } catch (err) {
        options.logger.warn({ err: String(err) }, 'local PostgreSQL did not stop cleanly; removing its files anyway');
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (runAs.uid !== undefined && runAs.gid !== undefined) await chown(dir, runAs.uid, runAs.gid);
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs.uid !== undefined && runAs.gid !== undefined) await chown(pwfile, runAs.uid, runAs.gid);
    try {
      await run(runAs, bin('initdb'), [
        '-D',
        data,
        '-U',
        'postgres',
        '-A',
        'scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ]);
    } catch (err) {
      const hint = runAs.user
        ? ` (as root it runs as the \`postgres\` user, which must be able to enter ${options.baseDir})`
        : '';
      throw new DatabaseError(`initdb failed in ${dir}${hint}: ${(err as Error).message}`, 'other', { cause: err });
    } finally {
      await rm(pwfile, { force: true });
    }
    const socket = dir.length <= MAX_SOCKET_DIR ? `-k '${dir}'` : "-c unix_socket_directories=''";
    let lastError: unknown;
    // A free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const serverOptions = [
        `-p ${port}`,
        socket,
        "-c listen_addresses='127.0.0.1'",
        // A drill's data is thrown away: durability costs time and buys nothing.
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
      ].join(' ');
      try {
        await run(runAs, bin('pg_ctl'), [
          'start',
          '-D',
          data,
          '-w',
          '-t',
          '60',
          '-l',
          join(dir, 'log'),
          '-o',
          serverOptions,
        ]);
        running = true;
        options.logger.info({ port, dir, version: initdb.version }, 'local PostgreSQL started for a restore drill');
        return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
      } catch (err) {
        lastError = err;
      }
    }
    throw new DatabaseError(
      `the local PostgreSQL did not start (log in ${join(dir, 'log')} is removed with it): ${(lastError as Error).message}`,
      'other',
      { cause: lastError },
    );
  } catch (err) {
    await stop();
    throw err;
  }
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user the Debian package creates. */
async function postgresUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await exec('id', ['-u', 'postgres'])).trim());
    const gid = Number((await exec('id', ['-g', 'postgres'])).trim());
    return { user: 'postgres', uid, gid };
  } catch {
    throw new DatabaseError(
      'upkeep runs as root and there is no `postgres` user to run a local PostgreSQL as: install postgresql ' +
        '(Debian), run upkeep as another user, or name a scratch server in the plan',
      'tool-missing',
    );
  }
}

function run(runAs: RunAs, command: string, args: string[]): Promise<string> {
  const [file, argv] = runAs.user ? ['runuser', ['-u', runAs.user, '--', command, ...args]] : [command, args];
  return exec(file, argv);
}

function exec(file: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = scrubToolOutput(`${stderr || stdout || err.message}`.trim().slice(-800));
        reject(new Error(`${command(file, args)} failed: ${detail}`));
      } else resolvePromise(stdout);
    });
  });
}

function command(file: string, args: string[]): string {
  return file === 'runuser' ? (args[3] ?? file) : file;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}
