/** Backup copies (migration 0005) on SQLite and PostgreSQL: one row per target, its own state, and the backfill. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { onEveryDialect, openTestStore } from '../notify/test-notify.js';
import type { StoreDialect } from '../store/database.js';
import { migrateDatabase } from '../store/migrate.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { type BackupRecord, runningCopy } from './backup-record.js';
import { BackupStore } from './backup-store.js';
import { shopBackup, withCatalog } from './test-support.js';

// PostgreSQL variants: UPKEEP_TEST_DATABASE_URL, from ./test-database.ts.

const T0 = Date.UTC(2026, 3, 1, 2);
const LOCAL = 'file:/srv/backups';
const S3 = 's3://offsite/shop';

function record(id: string, targets = [LOCAL, S3], startedAt = T0): BackupRecord {
  return shopBackup(id, startedAt, { targets });
}

onEveryDialect('BackupStore copies', (dialect: StoreDialect) => {
  it('addCopy records a copy found on another target after the others, once; an unknown backup is an error', () =>
    withCatalog(dialect, async (store) => {
      await store.insert(record('a1', [LOCAL, S3]));
      await store.removeCopy('a1', LOCAL); // a gap in the positions: the new copy still goes last
      const found = { ...runningCopy('file:/mnt/usb'), state: 'checked' as const, sizeBytes: 42, checkedAt: T0 + 5 };
      const after = await store.addCopy('a1', found);
      assert.deepEqual(after.copies, [runningCopy(S3), found]);
      assert.deepEqual((await store.get('a1'))?.copies, [runningCopy(S3), found]);
      const again = await store.addCopy('a1', { ...found, sizeBytes: 7 });
      assert.deepEqual(again.copies, [runningCopy(S3), found], 'a copy already recorded there is left as it is');
      await assert.rejects(store.addCopy('nope', found), /no backup nope/);
    }));

  it('records one copy per target in the plan order, each with its own state; the first target is the record target', () =>
    withCatalog(dialect, async (store) => {
      await store.insert(record('b1'));
      const fresh = await store.get('b1');
      assert.equal(fresh?.target, LOCAL);
      assert.deepEqual(fresh?.copies, [runningCopy(LOCAL), runningCopy(S3)]);
      const big = 6_000_000_000;
      await store.updateCopy('b1', LOCAL, { state: 'written', sizeBytes: big, writtenAt: T0 + 1 });
      const after = await store.updateCopy('b1', S3, { state: 'failed', failedAt: T0 + 2, reason: 'no such bucket' });
      assert.deepEqual(after.copies, [
        { ...runningCopy(LOCAL), state: 'written', sizeBytes: big, writtenAt: T0 + 1 },
        { ...runningCopy(S3), state: 'failed', failedAt: T0 + 2, reason: 'no such bucket' },
      ]);
      const checked = await store.updateCopy('b1', LOCAL, { state: 'checked', checkedAt: T0 + 3 });
      assert.equal(checked.copies[0]?.checkedAt, T0 + 3);
      // Listings and lookups carry the copies too.
      assert.deepEqual((await store.list({ app: 'shop', database: 'main' }))[0]?.copies, checked.copies);
      assert.deepEqual((await store.listAll())[0]?.copies, checked.copies);
      assert.deepEqual((await store.find('b1'))[0]?.copies, checked.copies);
      await assert.rejects(store.updateCopy('b1', 'file:/elsewhere', { state: 'written' }), /no copy of backup b1/);
    }));

  it('removes one copy, and a backup with all of its copies', () =>
    withCatalog(dialect, async (store, ts) => {
      await store.insert(record('b1'));
      await store.insert(record('b2', [LOCAL], T0 + 1));
      await store.removeCopy('b1', S3);
      assert.deepEqual(
        (await store.get('b1'))?.copies.map((c) => c.target),
        [LOCAL],
      );
      await store.remove('b1');
      assert.equal(await store.get('b1'), undefined);
      const rows = await sql<{
        n: number | string;
      }>`select count(*) as n from backup_copies where backup_id = 'b1'`.execute(ts.store.database.db);
      assert.equal(Number(rows.rows[0]?.n), 0, 'no copy outlives its backup');
      assert.deepEqual((await store.get('b2'))?.copies, [runningCopy(LOCAL)]);
    }));

  it('migration 5 gives every backup recorded before it one copy on its target, in the state its record implies', async () => {
    const ts = await openTestStore(dialect, { bare: true });
    try {
      const database = ts.store.database;
      await migrateDatabase(
        database,
        () => T0,
        MIGRATIONS.filter((m) => m.version <= 4),
      );
      const old = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
        id,
        app: 'shop',
        database_name: 'main',
        engine: 'postgres',
        format: 'pgdump',
        file: `${id}.age`,
        target: LOCAL,
        state,
        started_at: T0,
        gzip: 0,
        recipients_json: '[]',
        ...extra,
      });
      // biome-ignore lint/suspicious/noExplicitAny: the table as migration 4 made it, before its types grew copies.
      const db = database.db as any;
      await db
        .insertInto('backups')
        .values([
          old('running', 'running'),
          old('taken', 'taken', { taken_at: T0 + 1, size_bytes: 10 }),
          old('checked', 'checked', { taken_at: T0 + 1, checked_at: T0 + 2, size_bytes: 10 }),
          old('bad-write', 'failed', { failed_at: T0 + 3, failed_in: 'backup', reason: 'disk full' }),
          old('bad-check', 'failed', { taken_at: T0 + 1, failed_at: T0 + 3, failed_in: 'check', reason: 'damaged' }),
          old('bad-drill', 'failed', { taken_at: T0 + 1, checked_at: T0 + 2, failed_at: T0 + 4, failed_in: 'drill' }),
        ])
        .execute();
      assert.deepEqual(
        await migrateDatabase(
          database,
          () => T0,
          MIGRATIONS.filter((m) => m.version <= 5),
        ),
        [5],
      );
      const store = new BackupStore(database);
      const copy = async (id: string) => (await store.get(id))?.copies;
      assert.deepEqual(await copy('running'), [runningCopy(LOCAL)]);
      assert.deepEqual(await copy('taken'), [
        { ...runningCopy(LOCAL), state: 'written', sizeBytes: 10, writtenAt: T0 + 1 },
      ]);
      assert.deepEqual(await copy('checked'), [
        { ...runningCopy(LOCAL), state: 'checked', sizeBytes: 10, writtenAt: T0 + 1, checkedAt: T0 + 2 },
      ]);
      assert.deepEqual(await copy('bad-write'), [
        { ...runningCopy(LOCAL), state: 'failed', failedAt: T0 + 3, reason: 'disk full' },
      ]);
      assert.deepEqual(await copy('bad-check'), [
        { ...runningCopy(LOCAL), state: 'failed', writtenAt: T0 + 1, failedAt: T0 + 3, reason: 'damaged' },
      ]);
      // A failed drill says the data is wrong, not that this copy is unreadable: it stays checked.
      assert.deepEqual(await copy('bad-drill'), [
        { ...runningCopy(LOCAL), state: 'checked', writtenAt: T0 + 1, checkedAt: T0 + 2 },
      ]);
    } finally {
      await ts.dispose();
    }
  });
});
