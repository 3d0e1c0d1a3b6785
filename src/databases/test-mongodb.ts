/** MongoDB for tests: the throwaway FerretDB scripts/test.mjs starts (or MONGODB_TEST_URL), a fresh database per test. */
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';

/** The test server's URL (MONGODB_TEST_URL), or undefined when no MongoDB-protocol server is available. */
export function testMongoUrl(): string | undefined {
  const url = process.env.MONGODB_TEST_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * Why MongoDB tests skip, or undefined when they can run. In CI (CI=true) a missing server is an error, so this
 * throws rather than letting the suite pass on skips.
 */
export function mongoSkipReason(): string | undefined {
  if (testMongoUrl() !== undefined) return undefined;
  const reason =
    process.env.MONGODB_TEST_UNAVAILABLE ??
    'MONGODB_TEST_URL is not set; run the tests through `node scripts/test.mjs`, which starts FerretDB';
  if (process.env.CI === 'true') throw new Error(`MongoDB (FerretDB) is required in CI: ${reason}`);
  return `MongoDB not available: ${reason}`;
}

/** The URL of database `name` on the test server (keeps credentials and options of MONGODB_TEST_URL). */
export function mongoUrlFor(name: string): string {
  const base = testMongoUrl();
  if (base === undefined) throw new Error(mongoSkipReason() ?? 'MongoDB not available');
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database on the test server (MongoDB creates it on first write); drop() removes it. */
export async function freshMongoDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `upkeep_test_${randomBytes(6).toString('hex')}`;
  const url = mongoUrlFor(name);
  return {
    url,
    name,
    drop: async () => {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(name).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

/** Runs `fn` on the database `url` names, over a client of its own. */
export async function withMongoDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client.db());
  } finally {
    await client.close();
  }
}
