// A throwaway PostgreSQL cluster for the test run: initdb into a temp dir, start it on a free 127.0.0.1 port with
// trust auth, hand its URL to the tests, and remove it afterwards. Used by scripts/test.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Finds a PostgreSQL binary on PATH or in Debian's /usr/lib/postgresql/<version>/bin (newest first). */
export function findPgBin(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian layout: nothing more to try.
  }
  for (const version of versions) {
    const path = join('/usr/lib/postgresql', version, 'bin', name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(asUser, command, args) {
  // PostgreSQL refuses to run as root: run its tools as the `postgres` user the Debian package creates.
  const [file, argv] = asUser ? ['runuser', ['-u', asUser, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} exited ${result.status}: ${(result.stderr || result.stdout).trim().slice(-800)}`);
  }
  return result.stdout;
}

/**
 * Starts a throwaway cluster. Resolves to { url, stop() }; rejects with an Error saying why PostgreSQL is unavailable.
 * stop() is synchronous so it can run from signal and exit handlers.
 */
export async function startTestPostgres() {
  const initdb = findPgBin('initdb');
  const pgCtl = findPgBin('pg_ctl');
  if (!initdb || !pgCtl) {
    throw new Error('initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin (install postgresql)');
  }
  const asRoot = process.getuid?.() === 0;
  let owner;
  if (asRoot) {
    try {
      owner = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      };
    } catch {
      throw new Error('running as root but there is no `postgres` user to run PostgreSQL as (install postgresql)');
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-test-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const asUser = owner ? 'postgres' : undefined;
  const data = join(dir, 'data');
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        run(asUser, pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20']);
      } catch {
        // Already gone (e.g. Ctrl-C reached the postmaster too): only the files remain to remove.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(asUser, initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    let lastError;
    // The free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses='127.0.0.1'",
        // Throwaway data: durability costs time and buys nothing here.
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        run(asUser, pgCtl, ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'postgres.log'), '-o', options]);
        started = true;
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  } catch (err) {
    stop();
    throw err;
  }
}
