/**
 * MongoDB connection strings, taken apart by hand: WHATWG URL cannot parse seed lists (`mongodb://h1:1,h2:2/db`), and
 * the driver's own parser is not a dependency of ours. Pure; never logs.
 */
import { DatabaseError } from './adapter.js';

/** The parts of `mongodb[+srv]://[user[:password]@]hosts[/database][?options]`. */
export interface MongoUrlParts {
  scheme: 'mongodb' | 'mongodb+srv';
  /** `user[:password]` still percent-encoded, or undefined. */
  userinfo?: string;
  /** The seed list as written (`h1:27017,h2:27017`). */
  hosts: string;
  /** The database named in the path (percent-decoded), or undefined when the path is empty. */
  database?: string;
  /** The query string without `?`, or ''. */
  query: string;
}

const shape = /^(mongodb(?:\+srv)?):\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

/** Splits a connection string; throws DatabaseError('other') naming the expected form (never echoing the string). */
export function parseMongoUrl(url: string): MongoUrlParts {
  const match = shape.exec(url.trim());
  if (!match || match[3] === '') {
    throw new DatabaseError(
      'not a MongoDB connection string: expected mongodb://[user:password@]host[:port]/database (or mongodb+srv://)',
      'other',
    );
  }
  const [, scheme, userinfo, hosts, path, query] = match;
  let database: string | undefined;
  if (path !== undefined && path !== '') {
    try {
      database = decodeURIComponent(path);
    } catch {
      throw new DatabaseError(
        'the database name in the MongoDB connection string is not valid percent-encoding',
        'other',
      );
    }
  }
  return {
    scheme: scheme as MongoUrlParts['scheme'],
    ...(userinfo !== undefined ? { userinfo } : {}),
    hosts: hosts as string,
    ...(database !== undefined ? { database } : {}),
    query: query ?? '',
  };
}

/** The database a dump or restore works on; a string without one is refused rather than guessing `test`. */
export function requireDatabase(url: string): string {
  const { database, hosts } = parseMongoUrl(url);
  if (database === undefined) {
    throw new DatabaseError(
      `the MongoDB connection string for ${hosts} names no database: add it to the path (mongodb://host/<database>)`,
      'other',
    );
  }
  return database;
}

/**
 * The same server and options with another database in the path. When credentials are present and no authSource is
 * given, authSource is pinned to the database the user authenticated against before, so the login still works.
 */
export function withDatabase(url: string, database: string): string {
  const parts = parseMongoUrl(url);
  const params = new URLSearchParams(parts.query);
  if (parts.userinfo !== undefined && !params.has('authSource') && parts.scheme === 'mongodb') {
    params.set('authSource', parts.database ?? 'admin');
  }
  const query = params.toString();
  const userinfo = parts.userinfo !== undefined ? `${parts.userinfo}@` : '';
  return `${parts.scheme}://${userinfo}${parts.hosts}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
}

/** The string with any password replaced by `****`, for messages. */
export function redactMongoUrl(url: string): string {
  try {
    const parts = parseMongoUrl(url);
    const user = parts.userinfo?.split(':')[0];
    const userinfo = user !== undefined ? `${user}${parts.userinfo?.includes(':') ? ':****' : ''}@` : '';
    const path = parts.database !== undefined ? `/${encodeURIComponent(parts.database)}` : '/';
    return `${parts.scheme}://${userinfo}${parts.hosts}${path}`;
  } catch {
    return 'mongodb://(unparseable connection string)';
  }
}

/** The password (decoded), so error texts from the driver can be scrubbed of it; undefined when there is none. */
export function mongoPassword(url: string): string | undefined {
  try {
    const userinfo = parseMongoUrl(url).userinfo;
    const colon = userinfo?.indexOf(':') ?? -1;
    if (userinfo === undefined || colon < 0) return undefined;
    const raw = userinfo.slice(colon + 1);
    return raw === '' ? undefined : decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
