import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatabaseError } from './adapter.js';
import {
  chooseTools,
  findToolCandidates,
  parseToolVersion,
  pgDumpArgs,
  pgRestoreArgs,
  scrubToolOutput,
  serverMajor,
  serverVersionText,
  toolConnection,
} from './postgres-tools.js';

test('versions: server_version_num and tool --version output', () => {
  assert.equal(serverMajor(150018), 15);
  assert.equal(serverMajor(160002), 16);
  assert.equal(serverMajor(90624), 9);
  assert.equal(serverVersionText(150018), '15.18');
  assert.equal(serverVersionText(90624), '9.6.24');
  assert.deepEqual(parseToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n'), {
    major: 15,
    version: '15.18',
  });
  assert.deepEqual(parseToolVersion('pg_restore (PostgreSQL) 17beta1'), { major: 17, version: '17' });
  assert.equal(parseToolVersion('bash: pg_dump: command not found'), undefined);
});

test('chooseTools: newest candidate, too old and missing said with what to install', () => {
  const c15 = { binDir: '/usr/lib/postgresql/15/bin', major: 15, version: '15.18' };
  const c16 = { binDir: '/usr/lib/postgresql/16/bin', major: 16, version: '16.4' };
  assert.equal(chooseTools([c15, c16], 15), c16);
  assert.equal(chooseTools([c16, c15], 16), c16);
  assert.equal(chooseTools([c15], 14), c15, 'a newer pg_dump reads an older server');
  assert.equal(chooseTools([c15], undefined), c15);
  assert.throws(
    () => chooseTools([c15], 16),
    (err: unknown) =>
      err instanceof DatabaseError &&
      err.reason === 'tool-too-old' &&
      err.message.includes('pg_dump 15') &&
      err.message.includes('cannot dump server 16') &&
      err.message.includes('install postgresql-client-16 (Debian)') &&
      err.message.includes('UPKEEP_PG_BIN'),
  );
  assert.throws(
    () => chooseTools([], 16),
    (err: unknown) =>
      err instanceof DatabaseError && err.reason === 'tool-missing' && err.message.includes('postgresql-client-16'),
  );
  assert.throws(
    () => chooseTools([], undefined, 'initdb'),
    (err: unknown) => err instanceof DatabaseError && /install postgresql \(Debian\)/.test(err.message),
  );
});

test('toolConnection: the password leaves the connection string for PGPASSWORD', () => {
  const conn = toolConnection('postgres://app:s3cr%40t!@db.example:5433/shop?sslmode=require');
  assert.equal(conn.dbname, 'postgres://app@db.example:5433/shop?sslmode=require');
  assert.equal(conn.env.PGPASSWORD, 's3cr@t!');
  assert.equal(conn.password, 's3cr@t!');
  const args = pgDumpArgs(conn.dbname, '00000003-0000001B-1');
  assert.deepEqual(args, [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    '--verbose',
    '--snapshot=00000003-0000001B-1',
    '--dbname=postgres://app@db.example:5433/shop?sslmode=require',
  ]);
  for (const arg of [...args, ...pgRestoreArgs(conn.dbname)]) assert.ok(!arg.includes('s3cr'), arg);
  // --force's restore: drops what the archive holds, inside the same single transaction.
  const clean = pgRestoreArgs(conn.dbname, { clean: true });
  assert.deepEqual(clean.slice(0, 5), [
    '--no-owner',
    '--no-privileges',
    '--clean',
    '--if-exists',
    '--single-transaction',
  ]);
  assert.ok(!pgRestoreArgs(conn.dbname).includes('--clean'), 'without replace nothing is dropped');
  // --only: pg_restore's own selection, each schema and each table name once.
  const only = pgRestoreArgs(conn.dbname, {
    only: [
      { schema: 'public', table: 'orders' },
      { schema: 'public', table: 'customers' },
    ],
  });
  assert.deepEqual(
    only.filter((a) => /^--(schema|table)=/.test(a)),
    ['--schema=public', '--table=orders', '--table=customers'],
  );

  const query = toolConnection('postgresql://app@db.example/shop?password=hunter22&application_name=x');
  assert.equal(query.dbname, 'postgresql://app@db.example/shop?application_name=x');
  assert.equal(query.env.PGPASSWORD, 'hunter22');

  const none = toolConnection('postgres://app@127.0.0.1/shop');
  assert.equal(none.env.PGPASSWORD, undefined, 'no password: .pgpass or the environment may still supply one');
  assert.throws(() => toolConnection('not a url'), DatabaseError);
});

test('scrubToolOutput: passwords and URL credentials never survive', () => {
  const text = 'connection to postgres://app:hunter22@db/x failed; password=hunter22 rejected; hunter22';
  const out = scrubToolOutput(text, 'hunter22');
  assert.ok(!out.includes('hunter22'), out);
  assert.ok(out.includes('postgres://app:***@db/x'), out);
});

test('findToolCandidates: UPKEEP_PG_BIN alone when set, versions read from the tool', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-pgbin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'pg_dump');
  writeFileSync(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 99.1"\n');
  chmodSync(fake, 0o755);
  return findToolCandidates({ env: { UPKEEP_PG_BIN: dir, PATH: '' } }).then((found) => {
    assert.deepEqual(found, [{ binDir: dir, major: 99, version: '99.1' }]);
  });
});
