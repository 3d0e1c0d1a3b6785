import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { DatabaseError } from './adapter.js';
import { startLocalPostgres } from './local-postgres.js';
import { postgresAdapter } from './postgres.js';
import { findToolCandidates } from './postgres-tools.js';

const candidates = await findToolCandidates({ tool: 'initdb' });
let skip: string | undefined;
if (candidates.length === 0) {
  const reason = 'initdb not found (install postgresql)';
  if (process.env.CI === 'true') throw new Error(`local PostgreSQL is required in CI: ${reason}`);
  skip = reason;
  console.error(`\n!!! local-postgres tests SKIPPED: ${reason}\n`);
}

test('startLocalPostgres: a password-protected cluster on 127.0.0.1 that stop() removes', { skip }, async (t) => {
  // /tmp, not a private dir: as root the cluster runs as `postgres`, which must be able to enter baseDir.
  const baseDir = mkdtempSync(join(tmpdir(), 'upkeep-local-pg-test-'));
  chmodSync(baseDir, 0o755);
  t.after(() => rmSync(baseDir, { recursive: true, force: true }));
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const local = await startLocalPostgres({ baseDir, logger });
  const url = new URL(local.url);
  assert.equal(url.hostname, '127.0.0.1');
  assert.ok(url.password.length >= 20, 'a random password');
  const client = new pg.Client({ connectionString: local.url });
  await client.connect();
  const { rows } = await client.query('select current_setting($1) as v', ['listen_addresses']);
  assert.equal(rows[0].v, '127.0.0.1');
  await client.end();

  const stranger = new pg.Client({ host: '127.0.0.1', port: Number(url.port), user: 'postgres', password: 'wrong' });
  await assert.rejects(stranger.connect(), /password authentication failed/);
  await stranger.end().catch(() => {});

  assert.ok(lines.some((l) => l.includes('local PostgreSQL started')));
  assert.ok(!lines.join('').includes(url.password), 'the password is never logged');

  await local.stop();
  await local.stop();
  const after = new pg.Client({ connectionString: local.url, connectionTimeoutMillis: 3000 });
  await assert.rejects(after.connect());
  await after.end().catch(() => {});
  assert.deepEqual(readdirSync(baseDir), [], 'the cluster directory is removed');
});

test('startLocalPostgres without initdb says what to install', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'upkeep-no-pg-'));
  try {
    await assert.rejects(
      startLocalPostgres({ baseDir: empty, logger: pino({ level: 'silent' }), env: { UPKEEP_PG_BIN: empty } }),
      (err: unknown) =>
        err instanceof DatabaseError && err.reason === 'tool-missing' && /install postgresql/.test(err.message),
    );
    assert.ok(existsSync(empty));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('a drill on a local cluster: dump and restore with a real password (scram), counts equal; a wrong one is auth', {
  skip,
}, async (t) => {
  const baseDir = mkdtempSync(join(tmpdir(), 'upkeep-local-pg-drill-'));
  chmodSync(baseDir, 0o755);
  const local = await startLocalPostgres({ baseDir, logger: pino({ level: 'silent' }) });
  t.after(async () => {
    await local.stop();
    rmSync(baseDir, { recursive: true, force: true });
  });
  const ctx = { signal: new AbortController().signal, tmpDir: baseDir };
  const source = await postgresAdapter.scratch(local.url, ctx);
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  await client.query('create table items (id int primary key, name text)');
  await client.query("insert into items select i, 'item ' || i from generate_series(1, 2500) i");
  await client.end();
  // pg_dump and pg_restore get the password only through PGPASSWORD: scram would refuse them otherwise.
  const { stream, summary } = postgresAdapter.dump(source.url, ctx);
  const target = await postgresAdapter.scratch(local.url, ctx);
  const restored = await postgresAdapter.restore(stream, target.url, ctx);
  assert.deepEqual((await summary).counts, { 'public.items': 2500 });
  assert.deepEqual(restored, { 'public.items': 2500 });
  await target.drop();
  await source.drop();

  const wrong = new URL(local.url);
  wrong.password = 'Not-The-Password-42';
  await assert.rejects(postgresAdapter.preflight(wrong.toString(), ctx), (err: unknown) => {
    assert.ok(err instanceof DatabaseError);
    assert.equal(err.reason, 'auth');
    assert.match(err.message, /check the user and password/);
    assert.ok(!err.message.includes('Not-The-Password-42'));
    return true;
  });
});
