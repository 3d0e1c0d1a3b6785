/**
 * Existing stores migrate exactly as before. The fixtures were made by upkeep 0.1.0 as released (commit dd570ad, see
 * fixtures/README.md): a SQLite store with rows in every table, what that release read back from it, and the schema
 * its migrations create on SQLite and PostgreSQL. Migrations moved into their capability folders must still build
 * that schema, and a release store must open with every row reading back the same.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { BackupStore } from '../backups/backup-store.js';
import { HeartbeatStore } from '../heartbeats/heartbeat-store.js';
import { NotifyStore } from '../notify/notify-store.js';
import { createStore } from '../runs/kysely-store.js';
import { type Database, openDatabase } from './database.js';
import { migrateDatabase } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { freshPostgresDatabase, postgresSkipReason } from './test-database.js';
import { dumpSchema, type SchemaDump } from './test-schema-dump.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const RELEASE_DB = join(FIXTURES, 'release-0.1.0.db');
const releaseReads = JSON.parse(readFileSync(join(FIXTURES, 'release-0.1.0-reads.json'), 'utf8'));
const releaseSchema: Record<'sqlite' | 'postgres', SchemaDump> = JSON.parse(
  readFileSync(join(FIXTURES, 'release-0.1.0-schema.json'), 'utf8'),
);
/** The migrations 0.1.0 shipped. */
const RELEASE_VERSIONS = [1, 2, 3, 4];
const releaseMigrations = MIGRATIONS.filter((m) => RELEASE_VERSIONS.includes(m.version));
const T_OPEN = Date.UTC(2027, 0, 1);

/** `actual` cut down to the keys `expected` has (recursively): what the release read must read the same. */
function sameShape(actual: unknown, expected: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => sameShape(a, expected[i]));
  if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
    const a = actual as Record<string, unknown>;
    return Object.fromEntries(Object.keys(expected).map((k) => [k, sameShape(a[k], (expected as never)[k])]));
  }
  return actual;
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

/** Every row of every table, ordered by rowid, as the SQLite file holds it. */
function rawRows(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name <> 'sqlite_sequence' order by name")
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`select * from "${name}" order by rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

describe('a store made by upkeep 0.1.0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upkeep-upgrade-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens and migrates with nothing of its own changed, and every row reads back the same', async () => {
    const file = join(dir, 'upkeep.db');
    copyFileSync(RELEASE_DB, file);
    const before = rawRows(file);
    assert.ok(
      Object.values(before).every((rows) => rows.length > 0),
      'the fixture has rows in every table',
    );

    const store = createStore({ dataDir: dir, clock: () => T_OPEN });
    try {
      await store.migrate();
      const applied = await store.database.db.selectFrom('upkeep_migrations').selectAll().orderBy('version').execute();
      const newer = MIGRATIONS.filter((m) => !RELEASE_VERSIONS.includes(m.version)).map((m) => m.version);
      assert.deepEqual(
        applied.map((m) => m.version),
        [...RELEASE_VERSIONS, ...newer],
        'only migrations newer than the release run',
      );
      const reads = {
        units: await store.listUnits(),
        runs: await store.listRuns({ limit: 100 }),
        transitions: await store.listTransitions({ limit: 100 }),
        rollups: Object.fromEntries(
          await Promise.all(
            Object.keys(releaseReads.rollups).map(async (key) => {
              const [unitId, grain] = key.split(' ') as [string, 'minute'];
              return [key, await store.listRollups({ unitId, grain, from: 0, to: 2 ** 50 })];
            }),
          ),
        ),
        heartbeat: await heartbeatReads(store.database),
        notify: await notifyReads(store.database),
        backups: await new BackupStore(store.database).listAll(),
      };
      assert.deepEqual(sameShape(json(reads), releaseReads), releaseReads);
    } finally {
      await store.close();
    }

    const afterOpen = rawRows(file);
    // Newer migrations record themselves; every row the release wrote is still there, unchanged.
    afterOpen.upkeep_migrations = (afterOpen.upkeep_migrations ?? []).filter((m) =>
      RELEASE_VERSIONS.includes((m as { version: number }).version),
    );
    for (const [table, rows] of Object.entries(before)) {
      assert.deepEqual(sameShape(afterOpen[table], rows), rows, `rows of ${table}`);
    }
  });
});

async function heartbeatReads(database: Database) {
  const heartbeats = new HeartbeatStore(database);
  return {
    tokens: Object.fromEntries(await heartbeats.tokens()),
    lastPing: await heartbeats.lastPing('shop/nightly'),
    pings: await heartbeats.listPings({ unitId: 'shop/nightly', limit: 100 }),
  };
}

async function notifyReads(database: Database) {
  const notify = new NotifyStore(database);
  return {
    channels: await notify.listChannelStates(),
    outbox: await notify.listOutbox({ limit: 100 }),
    deliveries: await notify.listDeliveries({ limit: 100 }),
    unitState: await notify.getUnitState('shop/api'),
  };
}

describe("the release's migrations, wherever they live now, build the release's schema", () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upkeep-schema-'));
    const database = openDatabase({ dataDir: dir });
    try {
      await migrateDatabase(database, () => T_OPEN, releaseMigrations);
      assert.deepEqual(await dumpSchema(database), releaseSchema.sqlite);
    } finally {
      await database.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const skip = postgresSkipReason();
  it('on PostgreSQL', { skip }, async () => {
    const fresh = await freshPostgresDatabase();
    const database = openDatabase({ databaseUrl: fresh.url });
    try {
      await migrateDatabase(database, () => T_OPEN, releaseMigrations);
      assert.deepEqual(await dumpSchema(database), releaseSchema.postgres);
      // The migrations after the release only add: every release column and index is still there as it was.
      await migrateDatabase(database, () => T_OPEN);
      const now = await dumpSchema(database);
      for (const [table, facts] of Object.entries(releaseSchema.postgres.tables)) {
        for (const column of facts.columns)
          assert.ok(now.tables[table]?.columns.includes(column), `${table}: ${column}`);
      }
    } finally {
      await database.db.destroy();
      await fresh.drop();
    }
  });
});
