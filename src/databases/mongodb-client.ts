/** Connecting to a user's MongoDB and turning driver errors into DatabaseErrors that never carry the password. */
import { type Document, MongoClient } from 'mongodb';
import { DatabaseError } from './adapter.js';
import { mongoPassword, parseMongoUrl } from './mongodb-url.js';

/** How long to look for a server before calling it unreachable. */
const selectionTimeoutMs = 10_000;

/** Opens a client (the caller closes it); a server that cannot be found is DatabaseError 'unreachable'. */
export async function connectMongo(url: string, signal?: AbortSignal): Promise<MongoClient> {
  const { hosts, query } = parseMongoUrl(url);
  // Timeouts written in the connection string win: a user (or a test) may want to give up sooner or later.
  const params = new URLSearchParams(query);
  let client: MongoClient;
  try {
    client = new MongoClient(url, {
      ...(params.has('serverSelectionTimeoutMS') ? {} : { serverSelectionTimeoutMS: selectionTimeoutMs }),
      ...(params.has('connectTimeoutMS') ? {} : { connectTimeoutMS: selectionTimeoutMs }),
      // upkeep names itself in the server's logs and currentOp, so a DBA sees who is reading everything.
      appName: 'upkeep',
    });
  } catch (err) {
    throw mongoError(err, url, `cannot use the MongoDB connection string for ${hosts}`);
  }
  const onAbort = () => void client.close(true).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    await client.connect();
    return client;
  } catch (err) {
    await client.close(true).catch(() => {});
    if (signal?.aborted) throw cancelled(err);
    throw mongoError(err, url, `cannot reach MongoDB at ${hosts}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The error a cancelled dump or restore ends with (the run was stopped; nothing is wrong with the database). */
export function cancelled(cause?: unknown): DatabaseError {
  return new DatabaseError('the MongoDB operation was cancelled', 'other', { cause });
}

/** The server's version string (`buildInfo.version`), and `FerretDB <v>` when FerretDB answers instead. */
export async function serverVersion(client: MongoClient): Promise<string> {
  const info: Document = await client.db('admin').command({ buildInfo: 1 });
  const version = typeof info.version === 'string' ? info.version : 'unknown';
  return typeof info.ferretdbVersion === 'string'
    ? `MongoDB ${version} (FerretDB ${info.ferretdbVersion})`
    : `MongoDB ${version}`;
}

const unreachableNames = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
]);

/** Whether a driver error means the server went away (as opposed to the server refusing something). */
export function isConnectionLoss(err: unknown): boolean {
  return err instanceof Error && (unreachableNames.has(err.name) || err.name === 'MongoNotConnectedError');
}

/**
 * Wraps any error from the driver as a DatabaseError: unreachable, auth, or other; `context` says what upkeep was
 * doing. The password is scrubbed from the text; the cause is kept for debugging only when it cannot carry it.
 */
export function mongoError(
  err: unknown,
  url: string,
  context: string,
  reason?: DatabaseError['reason'],
): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const password = mongoPassword(url);
  // Both spellings: the driver may quote the string as written (percent-encoded) or the decoded password.
  const forms = password ? [password, encodeURIComponent(password)] : [];
  const scrub = (text: string) => forms.reduce((t, form) => t.split(form).join('****'), text);
  const detail = scrub(err instanceof Error ? err.message : String(err));
  const code = (err as { code?: unknown } | null)?.code;
  let kind: DatabaseError['reason'] = reason ?? 'other';
  let hint = '';
  if (!reason && (code === 18 || /Authentication failed|auth.*fail/i.test(detail))) {
    kind = 'auth';
    hint = ': check the user and password in the connection string (and authSource)';
  } else if (!reason && isConnectionLoss(err)) {
    kind = 'unreachable';
    hint =
      ': check the host and port, that the server runs, and that this machine may connect (firewall, IP allowlist)';
  }
  const leaks = err instanceof Error && forms.some((form) => (err.stack ?? '').includes(form));
  return new DatabaseError(`${context}: ${detail}${hint}`, kind, leaks ? undefined : { cause: err });
}
