import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { runCli } from '../cli/test-cli.js';
import { freshPostgresDatabase, postgresSkipReason, sql, testPostgresUrl } from '../store/test-database.js';

const skip = postgresSkipReason();
if (skip) console.error(`\n!!! backup CLI tests SKIPPED: ${skip}\n`);

// A password in the URLs: the test cluster trusts local connections and ignores it, but it must never be printed.
const SECRET = 'hunter2-never-shown';
const withPassword = (url: string) => {
  const u = new URL(url);
  u.username = u.username || 'postgres';
  u.password = SECRET;
  return u.toString();
};

describe('upkeep backup / backups / verify / restore (PostgreSQL)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };
  const targets: { url: string; drop(): Promise<void> }[] = [];
  let env: Record<string, string>;

  async function cli(args: string[], tty = false) {
    const { code, out, err } = await runCli([...args, '--data-dir', join(dir, '.upkeep')], { env, cwd: dir, tty });
    assert.ok(!out.includes(SECRET) && !err.includes(SECRET), `no secret in the output of ${args.join(' ')}`);
    assert.ok(!out.includes(env.AGE_IDENTITY as string) && !err.includes(env.AGE_IDENTITY as string));
    return { code, out, err };
  }

  async function emptyTarget() {
    const db = await freshPostgresDatabase();
    targets.push(db);
    return db.url;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-cli-'));
    source = await freshPostgresDatabase();
    await sql(
      source.url,
      `create table customers (id serial primary key, name text);
       insert into customers (name) select 'c' || i from generate_series(1, 300) i;
       create table orders (id serial primary key, customer int references customers(id), total numeric);
       insert into orders (customer, total) select 1 + i % 300, i from generate_series(1, 1200) i;`,
    );
    const identity = await generateX25519Identity();
    env = {
      SRC_URL: withPassword(source.url),
      SCRATCH_URL: withPassword(testPostgresUrl() as string),
      AGE_RECIPIENT: await identityToRecipient(identity),
      AGE_IDENTITY: identity,
    };
    writeFileSync(
      join(dir, 'upkeep.yml'),
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
        '          encrypt: { recipients: ["${AGE_RECIPIENT}"], identity: "${AGE_IDENTITY}" }',
        '          scratch: ${SCRATCH_URL}',
        '      local:',
        '        postgres: ${SRC_URL}',
        '        backup: { schedule: daily 04:00, to: file:./local-backups }',
        '      down:',
        '        postgres: postgres://app:hunter2-never-shown@127.0.0.1:1/nothing',
        '        backup: { schedule: daily 03:00, to: file:./backups }',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await Promise.all([source?.drop(), ...targets.map((t) => t.drop())]);
    rmSync(dir, { recursive: true, force: true });
  });

  let id = '';

  it('backup <db> takes, checks and prints the record (no progress bar off a terminal)', async () => {
    const r = await cli(['backup', 'main']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^state {4}checked$/m);
    assert.match(r.out, /^ {2}public\.orders +1200$/m);
    assert.match(r.out, /^ {2}public\.customers +300$/m);
    assert.match(r.out, /^age {6}encrypted to sha256:[0-9a-f]+$/m);
    assert.equal(r.err, '', 'stderr is not a terminal: no bar drawn');
    id = /^backup {3}(\S+)$/m.exec(r.out)?.[1] ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    const files = readdirSync(join(dir, 'backups'));
    assert.equal(files.length, 1);
    assert.ok(!readFileSync(join(dir, 'backups', files[0] as string)).includes('customers'), 'archive is encrypted');
  });

  it('backups lists it (table and --json); app/db works without resolving through the plan', async () => {
    const table = await cli(['backups', 'shop/main']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^ID +STARTED +STATE +SIZE +TOOK +ITEMS +LAST CHANGE/m);
    assert.match(table.out, new RegExp(`^${id.slice(0, 8)} .* checked .* 2 `, 'm'));
    const byName = await cli(['backups', 'main']);
    assert.match(
      byName.out,
      /^proof: ok — a drilled backup newer than 15d: none drilled yet \(first backup [0-9a-z]+ ago\)$/m,
    );
    const json = await cli(['backups', 'main', '--json']);
    const { backups } = JSON.parse(json.out) as { backups: { id: string; state: string; counts: object }[] };
    assert.equal(backups.length, 1);
    assert.equal(backups[0]?.state, 'checked');
    assert.deepEqual(backups[0]?.counts, { 'public.customers': 300, 'public.orders': 1200 });
  });

  it('verify <id> reads it back; --drill restores into a scratch database and the state becomes drilled', async () => {
    const check = await cli(['verify', id.slice(0, 8)]);
    assert.equal(check.code, 0, check.err);
    assert.match(check.out, /verified checksums match/);
    const drill = await cli(['verify', id, '--drill', '--json']);
    assert.equal(drill.code, 0, drill.err);
    const result = JSON.parse(drill.out) as { ok: boolean; backup: { state: string; drilledAt: number } };
    assert.equal(result.ok, true);
    assert.equal(result.backup.state, 'drilled');
    // The scratch database is gone again.
    const left = await sql(
      env.SCRATCH_URL as string,
      "select datname from pg_database where datname like 'upkeep_drill_%'",
    );
    assert.equal(left.rowCount, 0);
  });

  it('restore --dry-run lists what the archive holds and whether the target is empty, writing nothing', async () => {
    const target = await emptyTarget();
    const r = await cli(['restore', id.slice(0, 8), '--to', target, '--dry-run']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^would restore backup /m);
    assert.match(r.out, /^the target is empty$/m);
    assert.match(r.out, /^public\.orders +1200 +1200$/m);
    const tables = await sql(target, "select count(*)::int as n from pg_tables where schemaname = 'public'");
    assert.equal(tables.rows[0].n, 0);
  });

  it('restore refuses a non-empty database without --force (exit 2) and leaves it alone', async () => {
    const r = await cli(['restore', id, '--to', env.SRC_URL as string]);
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to restore into postgres:\/\/.*:\*\*\*@.*: it is not empty/);
    assert.match(r.err, /--force/);
    const n = await sql(source.url, 'select count(*)::int as n from orders');
    assert.equal(n.rows[0].n, 1200);
  });

  it('restore into an empty database loads every row and prints restored vs recorded counts', async () => {
    const target = await emptyTarget();
    const r = await cli(['restore', id, '--to', target]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^restored backup /m);
    assert.match(r.out, /^public\.customers +300 +300$/m);
    const sum = await sql(target, 'select count(*)::int as n, sum(total)::int as s from orders');
    assert.deepEqual(sum.rows[0], { n: 1200, s: (1200 * 1201) / 2 });
  });

  it('restore into a target with clashing tables: refused without --force; --force replaces them, others stay', async () => {
    const target = await emptyTarget();
    await sql(
      target,
      `create table customers (id int, legacy text); insert into customers values (42, 'old');
       create table keep_me (id int); insert into keep_me values (7);`,
    );
    const refused = await cli(['restore', id, '--to', target]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /it is not empty.*--force to replace the tables the backup holds/);
    assert.deepEqual((await sql(target, 'select id, legacy from customers')).rows, [{ id: 42, legacy: 'old' }]);

    const r = await cli(['restore', id, '--to', target, '--force']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /not empty; replacing the tables the backup holds, leaving the others \(--force\)/);
    assert.match(r.out, /^public\.customers +300 +300$/m);
    assert.doesNotMatch(r.out, /differences/);
    const customers = await sql(
      target,
      'select count(*)::int as n, count(*) filter (where id = 42)::int as old from customers',
    );
    assert.deepEqual(customers.rows[0], { n: 300, old: 1 }, 'the backup’s customer 42, not the old row');
    const legacy = await sql(target, "select 1 from information_schema.columns where column_name = 'legacy'");
    assert.equal(legacy.rowCount, 0, 'the old table is gone, not merged into');
    assert.equal((await sql(target, 'select id from keep_me')).rows[0].id, 7, 'a table the backup lacks stays');
  });

  it('a database that cannot be reached: exit 1 with the reason, recorded as failed', async () => {
    const r = await cli(['backup', 'shop/down']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^upkeep backup: .*PostgreSQL is unreachable/m);
    const json = JSON.parse((await cli(['backups', 'shop/down', '--json'])).out) as { backups: { state: string }[] };
    assert.equal(json.backups[0]?.state, 'failed');
  });

  it('a flipped byte in the archive: verify exits 1 and the backup is failed, not verified', async () => {
    const r0 = await cli(['backup', 'main', '--json']);
    assert.equal(r0.code, 0, r0.err);
    const { backup } = JSON.parse(r0.out) as { backup: { id: string; file: string } };
    const path = join(dir, 'backups', backup.file);
    const bytes = readFileSync(path);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(path, bytes);
    const r = await cli(['verify', backup.id]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^state {4}failed — /m);
    const again = await cli(['restore', backup.id, '--to', await emptyTarget()]);
    assert.equal(again.code, 2);
    assert.match(again.err, /is failed/);
  });

  it('a PostgreSQL drill without a scratch server restores into a throwaway local cluster (initdb)', async () => {
    const taken = await cli(['backup', 'local', '--json']);
    assert.equal(taken.code, 0, taken.err);
    const { backup } = JSON.parse(taken.out) as { backup: { id: string; state: string; recipients: string[] } };
    assert.equal(backup.state, 'checked');
    assert.deepEqual(backup.recipients, [], 'no encrypt: key, no encryption');
    const drill = await cli(['verify', backup.id, '--drill']);
    assert.equal(drill.code, 0, `${drill.out}${drill.err}`);
    assert.match(drill.out, /^state {4}drilled$/m);
    assert.match(drill.out, /every count matches the backup/);
  });

  it('on a terminal, backup and restore draw a progress bar on stderr and clear it; stdout stays the result', async () => {
    const taken = await cli(['backup', 'main'], true);
    assert.equal(taken.code, 0);
    assert.ok(taken.err.includes('\r\u001b[2Kdumping '), 'the bar is drawn');
    assert.ok(taken.err.endsWith('\r\u001b[2K'), 'the bar is cleared');
    assert.ok(!taken.out.includes('\r'), 'stdout has no bar');
    const restored = await cli(['restore', id, '--to', await emptyTarget()], true);
    assert.equal(restored.code, 0, restored.err);
    assert.match(restored.err, /restoring \[[#-]{24}\] +\d+%/);
  });

  it('usage errors say what to type (exit 2)', async () => {
    const unknown = await cli(['backup', 'mian']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no database "mian" with backups in the plan; did you mean "shop\/main"\?/);
    const noRef = await cli(['verify', 'zzzzzz']);
    assert.equal(noRef.code, 2);
    assert.match(noRef.err, /no backup "zzzzzz" in the catalog/);
    const noTo = await cli(['restore', id]);
    assert.equal(noTo.code, 2);
    assert.match(noTo.err, /--to <connection string>/);
    const wrongEngine = await cli(['restore', id, '--to', 'mongodb://127.0.0.1/x']);
    assert.equal(wrongEngine.code, 2);
    assert.match(wrongEngine.err, /is a postgres backup/);
  });
});
