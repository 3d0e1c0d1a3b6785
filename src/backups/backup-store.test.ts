/** The backup catalog on SQLite and PostgreSQL: insert, state changes, listings, lookup by prefix, removal. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onEveryDialect } from '../notify/test-notify.js';
import type { StoreDialect } from '../store/database.js';
import type { BackupRecord } from './backup-record.js';
import { shopBackup, withCatalog } from './test-support.js';

// PostgreSQL variants: UPKEEP_TEST_DATABASE_URL, from ./test-database.ts.

const T0 = Date.UTC(2026, 3, 1, 2);

function record(id: string, over: Partial<BackupRecord> = {}): BackupRecord {
  return { ...shopBackup(id, T0, { recipients: ['sha256:0123456789abcdef'] }), ...over };
}

onEveryDialect('BackupStore', (dialect: StoreDialect) => {
  it('records a backup and walks it through taken → checked → drilled with timestamps and counts', () =>
    withCatalog(dialect, async (store) => {
      await store.insert(record('b1'));
      assert.deepEqual(await store.get('b1'), record('b1'));
      const big = 6_000_000_000; // beyond 32 bits: bigint columns
      const taken = await store.update('b1', {
        state: 'taken',
        takenAt: T0 + 5_000,
        sizeBytes: big,
        plaintextBytes: big + 1,
        durationMs: 5_000,
        counts: { 'public.orders': 120, 'public.users': 7 },
        server: 'PostgreSQL 16.4',
        plaintextSha256: 'a'.repeat(64),
        ciphertextSha256: 'b'.repeat(64),
      });
      assert.equal(taken.state, 'taken');
      assert.equal(taken.sizeBytes, big);
      assert.deepEqual(taken.counts, { 'public.orders': 120, 'public.users': 7 });
      await store.update('b1', { state: 'checked', checkedAt: T0 + 6_000 });
      const drilled = await store.update('b1', { state: 'drilled', drilledAt: T0 + 9_000 });
      assert.deepEqual(
        [drilled.state, drilled.takenAt, drilled.checkedAt, drilled.drilledAt],
        ['drilled', T0 + 5_000, T0 + 6_000, T0 + 9_000],
      );
    }));

  it('lists one database newest first, filters by state, finds by id prefix or file, removes', () =>
    withCatalog(dialect, async (store) => {
      await store.insert(record('aaa111', { startedAt: T0, state: 'checked' }));
      await store.insert(record('aaa222', { startedAt: T0 + 1, state: 'failed', failedIn: 'backup', reason: 'x' }));
      await store.insert(record('bbb333', { startedAt: T0 + 2, state: 'taken' }));
      await store.insert(record('ccc444', { database: 'other', startedAt: T0 + 3 }));
      assert.deepEqual(
        (await store.list({ app: 'shop', database: 'main' })).map((r) => r.id),
        ['bbb333', 'aaa222', 'aaa111'],
      );
      assert.deepEqual(
        (await store.list({ app: 'shop', database: 'main' }, ['checked', 'taken'])).map((r) => r.id),
        ['bbb333', 'aaa111'],
      );
      assert.deepEqual(
        (await store.find('bbb')).map((r) => r.id),
        ['bbb333'],
      );
      assert.deepEqual((await store.find('aaa')).map((r) => r.id).sort(), ['aaa111', 'aaa222']);
      assert.deepEqual(
        (await store.find('shop.main.aaa111.pgdump.age')).map((r) => r.id),
        ['aaa111'],
      );
      assert.deepEqual(
        (await store.listAll()).map((r) => r.id),
        ['ccc444', 'bbb333', 'aaa222', 'aaa111'],
      );
      await store.remove('aaa222');
      assert.equal(await store.get('aaa222'), undefined);
      await assert.rejects(store.update('nope', { state: 'checked' }), /no backup nope/);
    }));
});
