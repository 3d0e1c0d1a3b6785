/** openDatabase, redactUrl and the typed errors a broken database produces. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createStore } from '../runs/kysely-store.js';
import { openDatabase, redactUrl } from './database.js';
import { StoreError } from './errors.js';
import { freshPostgresDatabase, postgresSkipReason } from './test-database.js';

test('redactUrl hides passwords, a lone user name and every query value, and leaves the rest readable', () => {
  assert.equal(redactUrl('postgres://app:s3cr3t@db.example:5432/prod'), 'postgres://app:***@db.example:5432/prod');
  assert.equal(
    redactUrl('postgresql://app:p%40ss@127.0.0.1/x?sslmode=require&password=hunter2'),
    'postgresql://app:***@127.0.0.1/x?sslmode=***&password=***',
  );
  assert.equal(redactUrl('postgres://app@127.0.0.1/x'), 'postgres://***@127.0.0.1/x');
  assert.equal(redactUrl('not a url user:pw@host'), 'not a url user:pw@host');
  assert.equal(redactUrl('weird//user:pw@host'), 'weird//user:***@host');
});

test('SQLite: the data dir is created, the file is in WAL mode with synchronous=NORMAL and a busy timeout', async () => {
  const root = mkdtempSync(join(tmpdir(), 'upkeep-db-'));
  try {
    const database = openDatabase({ dataDir: join(root, 'nested', '.upkeep'), busyTimeoutMs: 1234 });
    assert.equal(database.dialect, 'sqlite');
    assert.equal(database.where, join(root, 'nested', '.upkeep', 'upkeep.db'));
    assert.equal(database.sqlite?.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(database.sqlite?.pragma('synchronous', { simple: true }), 1);
    assert.equal(database.sqlite?.pragma('busy_timeout', { simple: true }), 1234);
    await database.db.destroy();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an unsupported URL is refused with a StoreError that shows it redacted', () => {
  assert.throws(
    () => openDatabase({ databaseUrl: 'mysql://root:topsecret@127.0.0.1/x' }),
    (err: unknown) =>
      err instanceof StoreError &&
      /mysql:\/\/root:\*\*\*@127\.0\.0\.1\/x/.test(err.message) &&
      !err.message.includes('topsecret'),
  );
});

test('an unreachable PostgreSQL is a StoreError naming the redacted URL, never the password', async () => {
  // A port that was just free: nothing listens there, so the connection is refused at once.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const store = createStore({ databaseUrl: `postgres://upkeep:hunter2@127.0.0.1:${port}/upkeep` });
  try {
    await assert.rejects(store.ping(), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.equal(err.operation, 'ping');
      assert.match(err.message, new RegExp(`postgres://upkeep:\\*\\*\\*@127\\.0\\.0\\.1:${port}/upkeep`));
      assert.ok(!err.message.includes('hunter2'));
      assert.ok(err.cause instanceof Error);
      return true;
    });
  } finally {
    await store.close();
  }
});

test('PostgreSQL: int8 values (bigint columns, count(*)) come back as numbers', async (t) => {
  const skip = postgresSkipReason();
  if (skip !== undefined) return t.skip(skip);
  const fresh = await freshPostgresDatabase();
  const database = openDatabase({ databaseUrl: fresh.url });
  try {
    const big = Date.UTC(2030, 0, 1);
    const result = await sql<{ n: unknown; at: unknown }>`select count(*) as n, ${big}::bigint as at`.execute(
      database.db,
    );
    assert.deepEqual(result.rows[0], { n: 1, at: big });
  } finally {
    await database.db.destroy();
    await fresh.drop();
  }
});
