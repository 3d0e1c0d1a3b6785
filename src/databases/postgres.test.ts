import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { freshPostgresDatabase, postgresSkipReason, sql } from '../store/test-database.js';
import { type AdapterContext, DatabaseError, type TransferProgress } from './adapter.js';
import { createPostgresAdapter, postgresAdapter } from './postgres.js';
import { findTools } from './postgres-tools.js';

const skip = postgresSkipReason();
if (skip) console.error(`\n!!! postgres adapter tests SKIPPED: ${skip}\n`);

const tmp = mkdtempSync(join(tmpdir(), 'upkeep-pg-adapter-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function context(progress?: (p: TransferProgress) => void): AdapterContext {
  return { signal: new AbortController().signal, tmpDir: tmp, progress };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A generated schema: a few tables, 10k rows in all, a quoted name, a partitioned table, an empty table. */
const SCHEMA = `
  create table customers (id serial primary key, name text not null, email text unique);
  insert into customers (name, email) select 'c' || i, 'c' || i || '@x.example' from generate_series(1, 3000) i;
  create table orders (id bigserial primary key, customer_id int references customers(id), total numeric(10,2),
                       note text, at timestamptz default now());
  insert into orders (customer_id, total, note) select 1 + i % 3000, i * 1.5, E'line\\nbreak and \\\\ backslash'
    from generate_series(1, 5000) i;
  create schema "Odd Schema";
  create table "Odd Schema"."Audit ""Log""" (id int, payload jsonb);
  insert into "Odd Schema"."Audit ""Log""" select i, jsonb_build_object('i', i) from generate_series(1, 1500) i;
  create table events (id int, at date not null) partition by range (at);
  create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01');
  create table events_2026 partition of events for values from ('2026-01-01') to ('2027-01-01');
  insert into events select i, date '2025-06-01' + (i % 365) from generate_series(1, 500) i;
  create table empty_one (id int);
  create view big_orders as select * from orders where total > 100;
`;
const EXPECTED = {
  'Odd Schema.Audit "Log"': 1500,
  'public.customers': 3000,
  'public.empty_one': 0,
  'public.events_2025': 500 - countIn2026(),
  'public.events_2026': countIn2026(),
  'public.orders': 5000,
};
function countIn2026(): number {
  let n = 0;
  const start = Date.UTC(2025, 5, 1);
  for (let i = 1; i <= 500; i++) if (start + (i % 365) * 86_400_000 >= Date.UTC(2026, 0, 1)) n++;
  return n;
}

describe('postgres adapter', { skip }, () => {
  let source: { url: string; drop(): Promise<void> };
  before(async () => {
    source = await freshPostgresDatabase();
    await sql(source.url, SCHEMA);
  });
  after(() => source?.drop());

  test('preflight names the server and the pg_dump it will use', async () => {
    const result = await postgresAdapter.preflight(source.url, context());
    assert.match(result.server, /^PostgreSQL \d+\.\d+; pg_dump \d+/);
  });

  test('dump → restore into a scratch database: counts equal, inspect agrees, scratch dropped', async () => {
    const seen: TransferProgress[] = [];
    const { stream, summary } = postgresAdapter.dump(
      source.url,
      context((p) => seen.push(p)),
    );
    const archive = await collect(stream);
    const recorded = await summary;
    assert.deepEqual(recorded.counts, EXPECTED);
    assert.match(recorded.server, /counts exact/);
    assert.equal(archive.subarray(0, 5).toString(), 'PGDMP', 'pg_dump custom format');
    assert.ok(
      seen.some((p) => p.current === 'public.orders'),
      'progress names the table being dumped',
    );
    assert.equal(seen.at(-1)?.bytes, archive.length);
    assert.equal(seen.at(-1)?.done, 6);

    assert.deepEqual(await postgresAdapter.inspect(Readable.from([archive]), context()), EXPECTED);

    const admin = new URL(source.url);
    const scratch = await postgresAdapter.scratch(admin.toString(), context());
    const name = new URL(scratch.url).pathname.slice(1);
    assert.match(name, /^upkeep_drill_[0-9a-f]{12}$/);
    try {
      assert.equal(await postgresAdapter.isEmpty(scratch.url, context()), true);
      const restored = await postgresAdapter.restore(Readable.from([archive]), scratch.url, context());
      assert.deepEqual(restored, EXPECTED);
      assert.deepEqual(await postgresAdapter.counts(scratch.url, context()), recorded.counts);
      assert.equal(await postgresAdapter.isEmpty(scratch.url, context()), false, 'a restored target is not empty');
      const view = await sql(scratch.url, 'select count(*)::int as n from big_orders');
      assert.ok(view.rows[0].n > 0, 'views come back too');
      const note = await sql(scratch.url, 'select note from orders limit 1');
      assert.equal(note.rows[0].note, 'line\nbreak and \\ backslash');
    } finally {
      await scratch.drop();
    }
    const left = await sql(source.url, `select 1 from pg_database where datname = '${name}'`);
    assert.equal(left.rowCount, 0, 'drop() removed the scratch database');
  });

  test('dump streamed straight into restore (no buffering between them)', async () => {
    const scratch = await postgresAdapter.scratch(source.url, context());
    try {
      const { stream, summary } = postgresAdapter.dump(source.url, context());
      const restored = await postgresAdapter.restore(stream, scratch.url, context());
      assert.deepEqual(restored, (await summary).counts);
    } finally {
      await scratch.drop();
    }
  });

  test('isEmpty: a database with user tables is not empty; a restore into it fails and changes nothing', async () => {
    assert.equal(await postgresAdapter.isEmpty(source.url, context()), false);
    const target = await freshPostgresDatabase();
    try {
      await sql(target.url, 'create table customers (id int); insert into customers values (42)');
      assert.equal(await postgresAdapter.isEmpty(target.url, context()), false);
      const archive = await collect(postgresAdapter.dump(source.url, context()).stream);
      await assert.rejects(postgresAdapter.restore(Readable.from([archive]), target.url, context()), (err: unknown) => {
        assert.ok(err instanceof DatabaseError);
        assert.equal(err.reason, 'other');
        assert.match(err.message, /already exists/);
        return true;
      });
      assert.deepEqual(await postgresAdapter.counts(target.url, context()), { 'public.customers': 1 });
    } finally {
      await target.drop();
    }
  });

  test('replace (restore --force): clashing objects are replaced in one transaction; other tables stay', async () => {
    const target = await freshPostgresDatabase();
    try {
      await sql(
        target.url,
        `create table customers (id int, legacy text); insert into customers values (42, 'old');
         create table keep_me (id int); insert into keep_me values (1), (2);`,
      );
      const archive = await collect(postgresAdapter.dump(source.url, context()).stream);
      const restored = await postgresAdapter.restore(Readable.from([archive]), target.url, context(), {
        replace: true,
      });
      assert.deepEqual(restored, { ...EXPECTED, 'public.keep_me': 2 });
      const columns = await sql(
        target.url,
        "select column_name from information_schema.columns where table_name = 'customers' order by 1",
      );
      assert.deepEqual(
        columns.rows.map((r) => r.column_name),
        ['email', 'id', 'name'],
        'the old customers table was replaced, not merged into',
      );
      // A second replace over the restored copy works too (every object of the archive now exists).
      await postgresAdapter.restore(Readable.from([archive]), target.url, context(), { replace: true });
      assert.deepEqual(await postgresAdapter.counts(target.url, context()), { ...EXPECTED, 'public.keep_me': 2 });
    } finally {
      await target.drop();
    }
  });

  test('a replace that cannot drop (a view of the target depends on a table) fails and changes nothing', async () => {
    const target = await freshPostgresDatabase();
    try {
      await sql(
        target.url,
        `create table customers (id int); insert into customers values (42);
         create view mine as select id from customers;`,
      );
      const archive = await collect(postgresAdapter.dump(source.url, context()).stream);
      await assert.rejects(
        postgresAdapter.restore(Readable.from([archive]), target.url, context(), { replace: true }),
        (err: unknown) => {
          assert.ok(err instanceof DatabaseError);
          assert.match(err.message, /nothing was restored or dropped \(one transaction\)/);
          assert.match(err.message, /depend/);
          return true;
        },
      );
      assert.deepEqual(await postgresAdapter.counts(target.url, context()), { 'public.customers': 1 });
    } finally {
      await target.drop();
    }
  });

  test('the password goes to pg_dump through PGPASSWORD, never argv', async () => {
    // Wrappers record what the real tools were given, then exec them (trust auth ignores the password).
    const real = await findTools(undefined);
    const bin = join(tmp, 'wrapped-bin');
    rmSync(bin, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(bin));
    for (const tool of ['pg_dump', 'pg_restore']) {
      const script = join(bin, tool);
      writeFileSync(
        script,
        `#!/bin/sh\nif [ "$1" != --version ]; then printf '%s\\n' "$@" > ${bin}/${tool}.argv; ` +
          `printf '%s' "$PGPASSWORD" > ${bin}/${tool}.pw; fi\nexec ${real.binDir}/${tool} "$@"\n`,
      );
      chmodSync(script, 0o755);
    }
    const adapter = createPostgresAdapter({ env: { UPKEEP_PG_BIN: bin } });
    const withPassword = new URL(source.url);
    withPassword.password = 'Sup3r-Secret-Pw';
    const { stream, summary } = adapter.dump(withPassword.toString(), context());
    const archive = await collect(stream);
    await summary;
    const argv = readFileSync(join(bin, 'pg_dump.argv'), 'utf8');
    assert.ok(!argv.includes('Sup3r-Secret-Pw'), argv);
    assert.match(argv, /--snapshot=\S+/, 'pg_dump dumps the snapshot the counts were taken in');
    assert.equal(readFileSync(join(bin, 'pg_dump.pw'), 'utf8'), 'Sup3r-Secret-Pw');

    const scratch = await adapter.scratch(withPassword.toString(), context());
    try {
      await adapter.restore(Readable.from([archive]), scratch.url, context());
      assert.ok(!readFileSync(join(bin, 'pg_restore.argv'), 'utf8').includes('Sup3r-Secret-Pw'));
      assert.equal(readFileSync(join(bin, 'pg_restore.pw'), 'utf8'), 'Sup3r-Secret-Pw');
    } finally {
      await scratch.drop();
    }
  });

  test('a pg_dump older than the server is refused, saying which client to install', async () => {
    const bin = join(tmp, 'old-bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
    writeFileSync(join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n');
    chmodSync(join(bin, 'pg_dump'), 0o755);
    const adapter = createPostgresAdapter({ env: { UPKEEP_PG_BIN: bin } });
    await assert.rejects(adapter.preflight(source.url, context()), (err: unknown) => {
      assert.ok(err instanceof DatabaseError);
      assert.equal(err.reason, 'tool-too-old');
      assert.match(err.message, /pg_dump 9 .* cannot dump server \d+: install postgresql-client-\d+ \(Debian\)/);
      return true;
    });
    const empty = join(tmp, 'no-bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(empty, { recursive: true }));
    await assert.rejects(
      createPostgresAdapter({ env: { UPKEEP_PG_BIN: empty } }).preflight(source.url, context()),
      (err: unknown) => err instanceof DatabaseError && err.reason === 'tool-missing',
    );
  });

  test('an unreachable server: preflight and dump fail as unreachable, the password unsaid', async () => {
    const port = await closedPort();
    const url = `postgres://app:Hidden-Pw-123@127.0.0.1:${port}/shop`;
    await assert.rejects(postgresAdapter.preflight(url, context()), (err: unknown) => {
      assert.ok(err instanceof DatabaseError);
      assert.equal(err.reason, 'unreachable');
      assert.ok(!err.message.includes('Hidden-Pw-123'));
      return true;
    });
    const { stream, summary } = postgresAdapter.dump(url, context());
    await assert.rejects(
      collect(stream),
      (err: unknown) => err instanceof DatabaseError && err.reason === 'unreachable',
    );
    await assert.rejects(summary, (err: unknown) => err instanceof DatabaseError && err.reason === 'unreachable');
  });

  describe('on a large table', () => {
    let big: { url: string; drop(): Promise<void> };
    let name: string;
    before(async () => {
      big = await freshPostgresDatabase();
      name = new URL(big.url).pathname.slice(1);
      await sql(
        big.url,
        `create table big (id int, a text, b text);
         insert into big select i, md5(i::text), md5((i * 7)::text) from generate_series(1, 600000) i;`,
      );
    });
    after(() => big?.drop());

    test('a backend terminated mid-dump: the stream errors with mid-dump and pg_dump stderr', async () => {
      const { stream, summary } = postgresAdapter.dump(big.url, context());
      // pg_dump may fail while the stream is paused: listen from the start, as every consumer must.
      const streamError = new Promise((resolve) => stream.once('error', resolve));
      // Take the first bytes, then stop reading: pg_dump blocks on its full pipe, mid-table.
      const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
      stream.pause();
      assert.ok(first.length > 0);
      const killed = await sql(
        big.url,
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = '${name}' and application_name = 'pg_dump'`,
      );
      assert.equal(killed.rowCount, 1, "pg_dump's backend was found and terminated");
      stream.resume();
      const err = await streamError;
      assert.ok(err instanceof DatabaseError, String(err));
      assert.equal(err.reason, 'mid-dump');
      assert.match(err.message, /pg_dump exited 1 mid-dump: .*(terminat|connection)/s);
      await assert.rejects(summary, (err: unknown) => err instanceof DatabaseError && err.reason === 'mid-dump');
    });

    test('a cancelled dump stops pg_dump and ends its snapshot transaction', async () => {
      const controller = new AbortController();
      const { stream, summary } = postgresAdapter.dump(big.url, { ...context(), signal: controller.signal });
      const streamError = new Promise((resolve) => stream.once('error', resolve));
      await new Promise((resolve) => stream.once('data', resolve));
      stream.pause();
      controller.abort(new Error('stop'));
      await assert.rejects(summary, (err: unknown) => err instanceof DatabaseError && /cancelled/.test(err.message));
      assert.match(String(await streamError), /cancelled/);
      // pg_dump got SIGTERM; its backend notices the closed socket a moment later.
      let left = 1;
      for (let i = 0; i < 50 && left > 0; i++) {
        const rows = await sql(
          big.url,
          `select 1 from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
        );
        left = rows.rowCount ?? 0;
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(left, 0, 'no pg_dump or counting connection is left');
    });
  });

  test('inspect of a truncated archive fails', async () => {
    const archive = await collect(postgresAdapter.dump(source.url, context()).stream);
    await assert.rejects(
      postgresAdapter.inspect(Readable.from([archive.subarray(0, Math.floor(archive.length / 2))]), context()),
      (err: unknown) => err instanceof Error,
    );
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}
