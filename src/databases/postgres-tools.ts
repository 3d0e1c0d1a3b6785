/**
 * The PostgreSQL client tools (pg_dump, pg_restore, initdb, pg_ctl): finding them, checking their version against
 * the server, and building their argv + environment so a connection password never reaches argv (which `ps` shows).
 */
import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { DatabaseError } from './adapter.js';

/** Where Debian installs each PostgreSQL major version's binaries (`/usr/lib/postgresql/<major>/bin`). */
export const DEBIAN_PG_LIB = '/usr/lib/postgresql';

const SERVER_TOOLS = new Set(['initdb', 'pg_ctl', 'postgres']);

/** A found tool directory: the bin dir holding pg_dump/pg_restore and their major version. */
export interface PgTools {
  binDir: string;
  /** Major version of pg_dump in binDir (16 for 16.2; 9.6 is reported as 9). */
  major: number;
  /** The full version text, e.g. `15.18`. */
  version: string;
}

/** Major version from `server_version_num` (150018 → 15; 90624 → 9, which is too old for anything we support). */
export function serverMajor(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}

/** `15.18` from `server_version_num` 150018 (or `9.6.24` from 90624), for messages and summaries. */
export function serverVersionText(versionNum: number): string {
  const major = serverMajor(versionNum);
  if (major >= 10) return `${major}.${versionNum % 10000}`;
  return `${major}.${Math.floor(versionNum / 100) % 100}.${versionNum % 100}`;
}

/** Parses `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` into its version; undefined if unrecognised. */
export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const version = [match[1], match[2], match[3]].filter((p) => p !== undefined).join('.');
  return { major: Number(match[1]), version };
}

/**
 * Picks the tools to use for a server of major version `server`: the newest candidate, which must be at least
 * as new as the server (pg_dump cannot dump a newer server; a newer pg_dump reads older servers fine).
 * Throws 'tool-missing' without candidates and 'tool-too-old' saying what to install. Pure.
 */
export function chooseTools(candidates: PgTools[], server: number | undefined, tool = 'pg_dump'): PgTools {
  const newest = [...candidates].sort((a, b) => b.major - a.major)[0];
  // initdb and pg_ctl come with the server package; pg_dump and pg_restore with the client package.
  const pkg = SERVER_TOOLS.has(tool) ? 'postgresql' : 'postgresql-client';
  if (!newest) {
    throw new DatabaseError(
      `${tool} not found on PATH, in UPKEEP_PG_BIN or in ${DEBIAN_PG_LIB}/*/bin: install ` +
        `${pkg}${server ? `-${server}` : ''} (Debian) or point UPKEEP_PG_BIN at a PostgreSQL bin dir`,
      'tool-missing',
    );
  }
  if (server !== undefined && newest.major < server) {
    throw new DatabaseError(
      `${tool} ${newest.major} (${newest.binDir}) cannot dump server ${server}: install ${pkg}-${server} ` +
        `(Debian) or point UPKEEP_PG_BIN at a newer bin dir`,
      'tool-too-old',
    );
  }
  return newest;
}

/** Options for finding the tools; the environment is injected so tests can point at a bin dir. */
export interface FindToolsOptions {
  env?: NodeJS.ProcessEnv;
  /** The tool whose version decides (default pg_dump); its siblings are taken from the same dir. */
  tool?: string;
}

/**
 * Every bin dir holding `tool`, with its version: UPKEEP_PG_BIN alone when set (the user's explicit choice),
 * otherwise PATH and Debian's versioned dirs.
 */
export async function findToolCandidates(options: FindToolsOptions = {}): Promise<PgTools[]> {
  const env = options.env ?? process.env;
  const tool = options.tool ?? 'pg_dump';
  let dirs: string[];
  if (env.UPKEEP_PG_BIN) dirs = [env.UPKEEP_PG_BIN];
  else {
    dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
    try {
      const versions = await readdir(DEBIAN_PG_LIB);
      for (const v of versions) dirs.push(join(DEBIAN_PG_LIB, v, 'bin'));
    } catch {
      // No Debian layout: PATH is all there is.
    }
  }
  const found: PgTools[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const path = join(dir, tool);
    try {
      await access(path, constants.X_OK);
    } catch {
      continue;
    }
    const output = await new Promise<string>((resolve) => {
      execFile(path, ['--version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? '' : stdout));
    });
    const parsed = parseToolVersion(output);
    if (parsed) found.push({ binDir: dir, ...parsed });
  }
  return found;
}

/** Finds the tools for a server of major `server` (see chooseTools). */
export async function findTools(server: number | undefined, options: FindToolsOptions = {}): Promise<PgTools> {
  return chooseTools(await findToolCandidates(options), server, options.tool);
}

/** A connection for a client tool: the URL without its password (for `--dbname`) and the env carrying it. */
export interface ToolConnection {
  /** The connection string with no password, safe for argv. */
  dbname: string;
  /** Variables to add to the child's environment (PGPASSWORD when the URL had a password). */
  env: Record<string, string>;
  /** The password, so error text from the tools can be scrubbed of it; never logged. */
  password?: string;
}

/**
 * Splits a postgres:// URL into a password-free connection string and environment for pg_dump/pg_restore. The
 * password may sit in the userinfo or in a `password=` query parameter; both move to PGPASSWORD. Pure.
 */
export function toolConnection(url: string): ToolConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseError('the PostgreSQL connection string is not a valid postgres:// URL', 'other');
  }
  let password: string | undefined;
  if (parsed.password) password = decodeURIComponent(parsed.password);
  const queryPassword = parsed.searchParams.get('password');
  if (queryPassword !== null) {
    password ??= queryPassword;
    parsed.searchParams.delete('password');
  }
  parsed.password = '';
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '10' };
  if (password !== undefined) env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env, password };
}

/** argv for `pg_dump -Fc` of `dbname` at an exported snapshot; the caller passes toolConnection's env. Pure. */
export function pgDumpArgs(dbname: string, snapshot?: string): string[] {
  const args = ['--format=custom', '--no-owner', '--no-privileges', '--verbose'];
  if (snapshot) args.push(`--snapshot=${snapshot}`);
  args.push(`--dbname=${dbname}`);
  return args;
}

/**
 * argv for `pg_restore` of stdin into `dbname`, in one transaction so a failed restore leaves nothing. `clean` drops
 * each object the archive holds first (`--if-exists`: a target without it is fine), inside that same transaction.
 * `only` selects tables by pg_restore's rules (`--schema` and `--table`, which match separately). Pure.
 */
export function pgRestoreArgs(
  dbname: string,
  options: { clean?: boolean; only?: readonly { schema: string; table: string }[] } = {},
): string[] {
  const only = options.only ?? [];
  return [
    '--no-owner',
    '--no-privileges',
    ...(options.clean ? ['--clean', '--if-exists'] : []),
    ...[...new Set(only.map((t) => t.schema))].map((schema) => `--schema=${schema}`),
    ...[...new Set(only.map((t) => t.table))].map((table) => `--table=${table}`),
    '--single-transaction',
    '--exit-on-error',
    '--verbose',
    `--dbname=${dbname}`,
  ];
}

/**
 * Removes secrets from tool output before it is shown: the password itself and any `user:password@` in URLs.
 * A password is removed wherever it occurs, even inside other words, because leaking it is worse than an odd
 * message.
 */
export function scrubToolOutput(text: string, password?: string): string {
  let out = text.replace(/(\/\/[^:/@\s]+):[^@\s]*@/g, '$1:***@');
  out = out.replace(/(password=)[^\s&]+/gi, '$1***');
  if (password) out = out.split(password).join('***');
  return out;
}
