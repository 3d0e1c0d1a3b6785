/**
 * Recovery from the files alone (PostgreSQL): the machine that took the backup is gone with its store and plan; a new
 * machine has the backup folder (or bucket) and UPKEEP_BACKUP_IDENTITY, nothing else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runCli } from '../cli/test-cli.js';
import { findTools } from '../databases/postgres-tools.js';
import { freshPostgresDatabase, postgresSkipReason, sql } from '../store/test-database.js';
import { s3Target } from './s3-target.js';
import { assertPlainError, backupThenLoseStore, flipMiddle, runOnNewMachine, truncated } from './test-recovery.js';
import { freshS3Location, s3SkipReason } from './test-s3.js';

const skip = postgresSkipReason();
if (skip) console.error(`\n!!! recovery tests SKIPPED: ${skip}\n`);

const SOURCE_COUNTS = { 'public.customers': 300, 'public.invoices': 7, 'public.orders': 1200, 'sales.invoices': 50 };

async function tableCounts(url: string): Promise<Record<string, number>> {
  const { rows } = await sql(
    url,
    `select table_schema || '.' || table_name as t from information_schema.tables
     where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
  );
  const out: Record<string, number> = {};
  for (const { t } of rows as { t: string }[]) {
    const [schema, table] = t.split('.');
    out[t] = (await sql(url, `select count(*)::int as n from "${schema}"."${table}"`)).rows[0].n;
  }
  return out;
}

describe('recovery from the backup files alone (PostgreSQL)', { skip }, () => {
  let home: string;
  let fresh: string;
  let archive: string;
  let identity: string;
  let recipient: string;
  const dbs: { url: string; drop(): Promise<void> }[] = [];

  /** A command on the new machine: no plan, a fresh data directory, only the identity in the environment. */
  const onNewMachine = (args: string[], env: Record<string, string> = {}) =>
    runOnNewMachine({ fresh, identity }, args, env);
  async function emptyDb() {
    const db = await freshPostgresDatabase();
    dbs.push(db);
    return db.url;
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'upkeep-recovery-old-'));
    fresh = mkdtempSync(join(tmpdir(), 'upkeep-recovery-new-'));
    const source = await freshPostgresDatabase();
    dbs.push(source);
    await sql(
      source.url,
      `create table customers (id serial primary key, name text);
       insert into customers (name) select 'c' || i from generate_series(1, 300) i;
       create table orders (id serial primary key, customer int references customers(id), total numeric);
       insert into orders (customer, total) select 1 + i % 300, i from generate_series(1, 1200) i;
       create table invoices (id int); insert into invoices select generate_series(1, 7);
       create schema sales; create table sales.invoices (id int primary key, amount int);
       insert into sales.invoices select i, i * 10 from generate_series(1, 50) i;`,
    );
    identity = await generateX25519Identity();
    recipient = await identityToRecipient(identity);
    const env = { SRC_URL: source.url, AGE_RECIPIENT: recipient, UPKEEP_BACKUP_IDENTITY: identity };
    // The old machine's backup, then the disaster: the store and the plan are gone; only the backup folder was kept.
    [archive] = (await backupThenLoseStore(
      home,
      [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      main:',
        '        postgres: ${SRC_URL}',
        '        backup:',
        '          schedule: daily 02:00',
        '          to: file:./backups',
        '          encrypt: { recipients: ["${AGE_RECIPIENT}"] }',
        '',
      ],
      env,
      ['main'],
    )) as [string];
  });
  after(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    rmSync(home, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  });

  it('verify <path> reads the file alone: engine, database and counts from the file', async () => {
    const r = await onNewMachine(['verify', archive]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^database shop\/main \(postgres/m);
    assert.match(r.out, /^ {2}public\.orders +1200$/m);
    assert.match(r.out, /^verified read from the file alone \(not in the catalog\): age authenticated every chunk/m);
    const json = JSON.parse((await onNewMachine(['verify', archive, '--json'])).out) as {
      ok: boolean;
      backup: { counts: object; engine: string };
    };
    assert.equal(json.ok, true);
    assert.deepEqual(json.backup.counts, SOURCE_COUNTS);
  });

  it('restore <path> into a fresh database gives the same row counts as the source had', async () => {
    const target = await emptyDb();
    const r = await onNewMachine(['restore', archive, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^public\.orders +1200 +1200$/m);
    assert.deepEqual(await tableCounts(target), SOURCE_COUNTS);
    const sum = await sql(target, 'select sum(total)::int as s from orders');
    assert.equal(sum.rows[0].s, (1200 * 1201) / 2);
  });

  it('a file: URL works as a path does', async () => {
    const r = await onNewMachine(['verify', pathToFileURL(archive).toString()]);
    assert.equal(r.code, 0, r.err);
    const dry = await onNewMachine(['restore', `file:${archive}`, '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /^public\.customers +300 +300$/m);
  });

  it('renamed and moved to another folder: still verifies and restores by path', async () => {
    mkdirSync(join(fresh, 'elsewhere'), { recursive: true });
    const moved = join(fresh, 'elsewhere', 'latest-shop.bak');
    copyFileSync(archive, moved);
    const v = await onNewMachine(['verify', 'elsewhere/latest-shop.bak']);
    assert.equal(v.code, 0, v.err);
    const dbname = new URL(dbs[0]?.url as string).pathname.slice(1);
    // The database from pg_dump's own header, the versions too; the app is unknown without upkeep's name.
    assert.match(
      v.out,
      new RegExp(`^database recovered/${dbname} \\(postgres, PostgreSQL \\d+\\.\\d+.*; pg_dump \\d+`, 'm'),
    );
    const target = await emptyDb();
    const r = await onNewMachine(['restore', moved, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await tableCounts(target), SOURCE_COUNTS);
  });

  it('a damaged file (bytes flipped in the middle, or cut short) is refused before anything is written', async () => {
    for (const [label, damage] of [
      ['flipped', flipMiddle],
      ['truncated', truncated],
    ] as const) {
      const bad = join(fresh, `${label}-${basename(archive)}`);
      damage(archive, bad);
      const v = await onNewMachine(['verify', bad]);
      assert.equal(v.code, 1, `${label}: ${v.err}`);
      assertPlainError(v.err, /^upkeep verify: archive damaged: /m);
      const target = await emptyDb();
      const r = await onNewMachine(['restore', bad, '--to', target]);
      assert.equal(r.code, 1, `${label}: ${r.err}`);
      assertPlainError(r.err, /^upkeep restore: archive damaged: /m);
      assert.deepEqual(await tableCounts(target), {}, `${label}: nothing written`);
    }
  });

  it('a file from another tool: plain pg_dump -Fc is restored as what it is; others are "not an upkeep backup"', async () => {
    const source = dbs[0]?.url as string;
    const tools = await findTools(undefined, { tool: 'pg_dump' });
    const plain = join(fresh, 'plain.dump');
    execFileSync(join(tools.binDir, 'pg_dump'), ['-Fc', `--file=${plain}`, `--dbname=${source}`]);
    const target = await emptyDb();
    const r = await onNewMachine(['restore', plain, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await tableCounts(target), SOURCE_COUNTS);

    const random = join(fresh, 'random.bin');
    writeFileSync(random, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)));
    const v = await onNewMachine(['verify', random]);
    assert.equal(v.code, 2);
    assertPlainError(v.err, /^upkeep verify: random\.bin is not an upkeep backup: it is neither age-encrypted/m);

    const encrypter = new Encrypter();
    encrypter.addRecipient(recipient);
    const other = join(fresh, 'notes.txt.age');
    writeFileSync(other, await encrypter.encrypt('a shopping list, not a database'));
    const o = await onNewMachine(['restore', other, '--to', await emptyDb()]);
    assert.equal(o.code, 2);
    assertPlainError(o.err, /^upkeep restore: notes\.txt\.age is not an upkeep backup: it decrypts with the given/m);
  });

  it('the wrong age key: a clear error naming the recipient mismatch', async () => {
    const wrong = await generateX25519Identity();
    const r = await onNewMachine(['verify', archive], { UPKEEP_BACKUP_IDENTITY: wrong });
    assert.equal(r.code, 1);
    assertPlainError(
      r.err,
      /wrong key: .* is encrypted to 1 recipient \(1 X25519\), and none of them is the public key/,
    );
    assert.ok(r.err.includes(await identityToRecipient(wrong)), 'names the public key of the identity given');
    assert.ok(!r.err.includes(wrong), 'never the identity itself');
    const none = await runCli(['verify', archive, '--data-dir', join(fresh, '.none')], { env: {}, cwd: fresh });
    assert.equal(none.code, 2);
    assertPlainError(none.err, /is encrypted \(age, 1 recipient \(1 X25519\)\): set UPKEEP_BACKUP_IDENTITY/);
  });

  it('--dry-run --only lists just those tables with counts and writes nothing; --only restores just those', async () => {
    const target = await emptyDb();
    const dry = await onNewMachine(['restore', archive, '--to', target, '--only', 'orders', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.err);
    const shown = JSON.parse(dry.out) as { counts: object; only: string[]; targetEmpty: boolean };
    assert.deepEqual(shown.counts, { 'public.orders': 1200 });
    assert.deepEqual(shown.only, ['public.orders']);
    assert.equal(shown.targetEmpty, true);
    assert.deepEqual(await tableCounts(target), {});

    const r = await onNewMachine(['restore', archive, '--to', target, '--only', 'public.customers,sales.invoices']);
    assert.match(r.err, /would also restore public\.invoices/);
    assert.equal(r.code, 2);
    const one = await onNewMachine(['restore', archive, '--to', target, '--only', 'sales.invoices']);
    assert.equal(one.code, 0, one.err);
    assert.deepEqual(await tableCounts(target), { 'sales.invoices': 50 });
    const two = await onNewMachine(['restore', archive, '--to', target, '--only', 'customers', '--force']);
    assert.equal(two.code, 0, two.err);
    assert.deepEqual(await tableCounts(target), { 'public.customers': 300, 'sales.invoices': 50 });
  });

  it('--only a name the archive does not hold, or one in two schemas: a usage error listing what is there', async () => {
    const missing = await onNewMachine(['restore', archive, '--to', await emptyDb(), '--only', 'nope']);
    assert.equal(missing.code, 2);
    assertPlainError(
      missing.err,
      /--only nope: the backup holds no such table; it holds public\.customers, public\.invoices, public\.orders, sales\.invoices/,
    );
    const both = await onNewMachine(['restore', archive, '--dry-run', '--only', 'invoices']);
    assert.equal(both.code, 2);
    assert.match(both.err, /--only invoices is in several schemas \(public\.invoices, sales\.invoices\)/);
  });

  it('pointing at the wrong thing is a usage error that says what to give (exit 2, no stack trace)', async () => {
    mkdirSync(join(fresh, 'a-folder'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [['verify', 'a-folder'], /a-folder is a folder: name one archive in it, or .*upkeep backups --scan a-folder/],
      [['restore', './missing.pgdump.age', '--dry-run'], /no file .*missing\.pgdump\.age: give the path of a backup/],
      [['verify', 's3://my-backups'], /"s3:\/\/my-backups" names no archive: write s3:\/\/<bucket>\/<key>/],
      [['backups', '--scan', './no-such-folder'], /--scan \.\/no-such-folder: no folder .*no-such-folder/],
      [['backups', '--scan', 'gs://bucket/x'], /--scan gs:\/\/bucket\/x: give a folder, a file: URL or s3:/],
      [['backups', 'shop/main', '--scan', './backups'], /--scan takes no database/],
      [
        ['verify', 'nothing-like-this'],
        /no backup "nothing-like-this" in the catalog .*give its path, file: URL or s3:/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await onNewMachine(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assertPlainError(r.err, pattern);
    }
  });

  for (const store of ['SQLite', 'PostgreSQL'] as const) {
    it(`backups --scan <folder> rebuilds the catalog on an empty ${store} store, idempotently`, async () => {
      const folder = join(fresh, `scan-${store}`);
      mkdirSync(folder);
      copyFileSync(archive, join(folder, basename(archive)));
      writeFileSync(join(folder, 'README.txt'), 'these are the shop backups\n');
      const env: Record<string, string> = store === 'PostgreSQL' ? { UPKEEP_DATABASE_URL: await emptyDb() } : {};
      const dataDir = ['--data-dir', join(fresh, `.upkeep-${store}`)];
      const first = await onNewMachine(['backups', '--scan', folder, '--json', ...dataDir], env);
      assert.equal(first.code, 1, 'a file could not be read');
      const report = JSON.parse(first.out) as { found: number; added: number; unreadable: number; problems: object[] };
      assert.deepEqual([report.found, report.added, report.unreadable], [2, 1, 1]);
      assert.match(JSON.stringify(report.problems), /README\.txt is not an upkeep backup/);
      const again = await onNewMachine(['backups', '--scan', folder, ...dataDir], env);
      assert.match(again.out, /^scanned file:.*: 2 found, 0 added, 1 already in the catalog, 1 unreadable$/m);
      // The same archive in a second place (seed 003's second location) becomes a second copy, not a second backup.
      const second = join(fresh, `scan-${store}-usb`);
      mkdirSync(second);
      copyFileSync(archive, join(second, basename(archive)));
      const more = await onNewMachine(['backups', '--scan', second, '--json', ...dataDir], env);
      assert.equal(more.code, 0, more.err);
      assert.deepEqual((({ added, copied }) => ({ added, copied }))(JSON.parse(more.out)), { added: 0, copied: 1 });

      const listed = await onNewMachine(['backups', 'shop/main', '--json', ...dataDir], env);
      const { backups } = JSON.parse(listed.out) as { backups: { id: string; state: string; counts: object }[] };
      assert.equal(backups.length, 1);
      assert.equal(backups[0]?.state, 'checked');
      assert.deepEqual(backups[0]?.counts, SOURCE_COUNTS);
      const copies = (backups[0] as unknown as { copies: { target: string }[] }).copies.map((c) => c.target);
      assert.deepEqual(copies, [`file:${folder}`, `file:${second}`]);
      assert.equal(backups[0]?.id.slice(0, 8), /\.([0-9a-f]{8})\.pgdump/.exec(archive)?.[1], 'the id the name carries');
      const v = await onNewMachine(['verify', backups[0]?.id.slice(0, 8) as string, ...dataDir], env);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /verified checksums match/);
    });
  }

  describe('on S3 (the S3 emulator)', { skip: s3SkipReason() ?? false }, () => {
    const location = freshS3Location();
    const s3env = (): Record<string, string> => ({
      AWS_ENDPOINT_URL_S3: location.endpoint as string,
      AWS_ACCESS_KEY_ID: location.credentials?.accessKeyId as string,
      AWS_SECRET_ACCESS_KEY: location.credentials?.secretAccessKey as string,
    });
    const prefixUrl = () => `s3://${location.bucket}/${location.prefix.replace(/\/$/, '')}`;

    before(async () => {
      await s3Target(location).put(basename(archive), createReadStream(archive));
    });

    it('verify and restore s3://bucket/key from the bucket alone', async () => {
      const key = `${prefixUrl()}/${basename(archive)}`;
      const v = await onNewMachine(['verify', key], s3env());
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /^file {5}s3:\/\//m);
      const target = await emptyDb();
      const r = await onNewMachine(['restore', key, '--to', target], s3env());
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(await tableCounts(target), SOURCE_COUNTS);
      const missing = await onNewMachine(['verify', `${prefixUrl()}/nothing.pgdump.age`], s3env());
      assert.equal(missing.code, 1);
      assertPlainError(missing.err, /no such archive/);
    });

    it('backups --scan s3://bucket/prefix rebuilds the catalog; restore by id then reads from the bucket', async () => {
      const dataDir = ['--data-dir', join(fresh, '.upkeep-s3')];
      const scan = await onNewMachine(['backups', '--scan', prefixUrl(), '--json', ...dataDir], s3env());
      assert.equal(scan.code, 0, scan.err);
      assert.deepEqual((({ found, added, unreadable }) => ({ found, added, unreadable }))(JSON.parse(scan.out)), {
        found: 1,
        added: 1,
        unreadable: 0,
      });
      const id = /\.([0-9a-f]{8})\.pgdump/.exec(archive)?.[1] as string;
      const target = await emptyDb();
      const r = await onNewMachine(['restore', id, '--to', target, ...dataDir], s3env());
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(await tableCounts(target), SOURCE_COUNTS);
    });
  });
});
