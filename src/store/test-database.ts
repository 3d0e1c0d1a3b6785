/** PostgreSQL for tests: the throwaway cluster scripts/test.mjs starts, and a fresh database per test on it. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test cluster's URL (UPKEEP_TEST_DATABASE_URL), or undefined when PostgreSQL is not available. */
export function testPostgresUrl(): string | undefined {
  const url = process.env.UPKEEP_TEST_DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * Why PostgreSQL tests skip, or undefined when they can run. In CI (CI=true) a missing PostgreSQL is an error, so
 * this throws rather than letting the suite pass on skips.
 */
export function postgresSkipReason(): string | undefined {
  if (testPostgresUrl() !== undefined) return undefined;
  const reason =
    process.env.UPKEEP_TEST_POSTGRES_UNAVAILABLE ??
    'UPKEEP_TEST_DATABASE_URL is not set; run the tests through `node scripts/test.mjs`, which starts PostgreSQL';
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI: ${reason}`);
  return `PostgreSQL not available: ${reason}`;
}

/** A new, empty database on the test cluster; drop() removes it (closing any connections left open). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = testPostgresUrl();
  if (admin === undefined) throw new Error(postgresSkipReason() ?? 'PostgreSQL not available');
  const name = `upkeep_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`create database ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(admin, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

/** Runs `text` (one or more statements) on `url` over a connection of its own. */
export async function sql(url: string, text: string): Promise<pg.QueryResult> {
  return withAdmin(url, (client) => client.query(text));
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
