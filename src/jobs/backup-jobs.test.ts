/**
 * The backup units through the real scheduler: plan → units → job kinds → runs, alert states and transitions, on a
 * real PostgreSQL source (the test cluster) and upkeep's SQLite store. The clock is manual, so "40 hours later" is real
 * to every rule without waiting.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import pg from 'pg';
import pino from 'pino';
import { findCheckKind } from '../checks/registry.js';
import type { DatabaseAdapter } from '../databases/adapter.js';
import { postgresAdapter } from '../databases/postgres.js';
import { loadPlan } from '../plan/load-plan.js';
import type { CheckUnit } from '../plan/units.js';
import { createStore, type KyselyStore } from '../runs/kysely-store.js';
import { ManualClock } from '../schedule/clock.js';
import { nextRunAt } from '../schedule/schedule-spec.js';
import { Scheduler } from '../schedule/scheduler.js';
import { unitDefinition } from '../schedule/unit-definition.js';
import { freshPostgresDatabase, postgresSkipReason, testPostgresUrl } from '../store/test-database.js';
import { createBackupDeps } from './backup-services.js';
import { createJobKinds } from './registry.js';

const skip = postgresSkipReason();
if (skip) console.error(`\n!!! backup job tests SKIPPED: ${skip}\n`);

const logger = pino({ level: 'silent' });
const H = 3_600_000;

describe('backup units in the scheduler (PostgreSQL source, SQLite store)', { skip }, () => {
  let dir: string;
  let source: { url: string; drop(): Promise<void> };
  let store: KyselyStore;
  let units: CheckUnit[];
  let scheduler: Scheduler;
  const clock = new ManualClock(Date.parse('2026-11-22T02:00:00Z'));
  // Drills restore through this adapter; the mismatch test makes its counts lie about one table.
  let lieAboutOrders = false;
  const adapter: DatabaseAdapter = {
    ...postgresAdapter,
    async counts(url, ctx) {
      const counts = await postgresAdapter.counts(url, ctx);
      if (lieAboutOrders && counts['public.orders'] !== undefined) counts['public.orders'] -= 1;
      return counts;
    },
  };

  /** Makes only `ids` due now, runs them, and returns their units' records. */
  async function runNow(...ids: string[]) {
    for (const unit of units)
      await store.setNextRunAt(unit.id, ids.includes(unit.id) ? clock.now() : clock.now() + 30 * 24 * H);
    assert.equal(await scheduler.tick(), ids.length);
    await scheduler.idle();
    return Promise.all(
      ids.map(async (id) => (await store.getUnit(id)) as NonNullable<Awaited<ReturnType<KyselyStore['getUnit']>>>),
    );
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upkeep-backup-jobs-'));
    source = await freshPostgresDatabase();
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    await client.query(`create table orders (id serial primary key, total int);
      insert into orders (total) select i from generate_series(1, 500) i;`);
    await client.end();
    const identity = await generateX25519Identity();
    writeFileSync(
      join(dir, 'upkeep.yml'),
      [
        'version: 1',
        'apps:',
        '  shop:',
        '    databases:',
        '      main:',
        '        postgres: ${SRC}',
        '        backup:',
        '          schedule: daily 02:00',
        '          to: file:./backups',
        '          encrypt: { recipients: ["${RECIPIENT}"], identity: "${IDENTITY}" }',
        '          verify: daily 04:00',
        '          alertAfter: 36h',
        '          scratch: ${SCRATCH}',
        '      gone:',
        '        postgres: postgres://app:pw-not-shown@127.0.0.1:1/gone',
        '        backup: { schedule: daily 03:00, to: file:./backups, verify: false }',
        '',
      ].join('\n'),
    );
    const loaded = await loadPlan(join(dir, 'upkeep.yml'), {
      env: {
        SRC: source.url,
        SCRATCH: testPostgresUrl(),
        RECIPIENT: await identityToRecipient(identity),
        IDENTITY: identity,
      },
    });
    units = loaded.units;
    store = createStore({ dataDir: join(dir, '.upkeep') });
    await store.migrate();
    await store.syncUnits(units.map(unitDefinition), () => clock.now());
    const deps = createBackupDeps({
      database: store.database,
      clock,
      logger,
      timezone: loaded.timezone,
      adapters: { postgres: adapter },
    });
    const jobKinds = createJobKinds(deps);
    scheduler = new Scheduler({
      store,
      units,
      findKind: (name) => findCheckKind(name) ?? jobKinds.find((k) => k.name === name),
      clock,
      logger,
      worker: 'test',
      concurrency: 4,
      nextRunAt: (u, at) => nextRunAt(u.schedule, at, u.id),
      inMaintenance: () => false,
    });
  });
  after(async () => {
    await store?.close();
    await source?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the plan gives main three units and gone (verify: false) only its backup unit', () => {
    assert.deepEqual(
      units.map((u) => `${u.id} ${u.kind}`),
      [
        'shop/main.backup backup',
        'shop/main.drill drill',
        'shop/main.freshness backup-freshness',
        'shop/gone.backup backup',
      ],
    );
  });

  it('a scheduled backup runs, is checked, and the unit is ok', async () => {
    const [unit] = await runNow('shop/main.backup');
    assert.equal(unit?.lastOutcome, 'ok');
    assert.match(unit?.alert.lastSummary ?? '', /^backup taken and checked \(\d/);
    const [run] = await store.listRuns({ unitId: 'shop/main.backup', limit: 1 });
    assert.equal(run?.values.collections, 1);
    assert.ok((run?.values.sizeBytes ?? 0) > 0);
  });

  it('the drill restores the newest backup and the unit is ok; the catalog says drilled', async () => {
    const [unit] = await runNow('shop/main.drill');
    assert.equal(unit?.lastOutcome, 'ok', unit?.alert.lastSummary);
    assert.match(unit?.alert.lastSummary ?? '', /drilled: counts match/);
    const deps = createBackupDeps({ database: store.database, clock, logger, timezone: 'UTC' });
    const [record] = await deps.catalog.list({ app: 'shop', database: 'main' });
    assert.equal(record?.state, 'drilled');
  });

  it('40 hours on with no newer drilled backup, the hourly freshness check fires critical', async () => {
    clock.advance(40 * H);
    const [unit] = await runNow('shop/main.freshness');
    assert.equal(unit?.alert.state, 'firing');
    assert.equal(unit?.alert.severity, 'critical');
    assert.equal(unit?.alert.lastSummary, 'no drilled backup newer than 1d12h (newest drilled 1d16h ago)');
    const [t] = await store.listTransitions({ unitId: 'shop/main.freshness', limit: 1 });
    assert.equal(t?.to, 'firing');
  });

  it('a drill whose restored counts differ from the backup fires critical, saying which table', async () => {
    // A new backup, so the drill below takes it. Proof is stale, but that is the freshness unit's alert alone.
    const [backup] = await runNow('shop/main.backup');
    assert.equal(backup?.lastOutcome, 'ok', backup?.alert.lastSummary);
    lieAboutOrders = true;
    try {
      const [unit] = await runNow('shop/main.drill');
      assert.equal(unit?.alert.state, 'firing');
      assert.equal(unit?.alert.severity, 'critical');
      assert.match(unit?.alert.lastSummary ?? '', /drill mismatch: public\.orders: backup 500, restored 499/);
    } finally {
      lieAboutOrders = false;
    }
  });

  it('a good drill resolves the drill unit, and the next freshness run resolves freshness', async () => {
    await runNow('shop/main.backup');
    const [drill] = await runNow('shop/main.drill');
    assert.equal(drill?.alert.state, 'resolved', drill?.alert.lastSummary);
    const [fresh] = await runNow('shop/main.freshness');
    assert.equal(fresh?.alert.state, 'resolved');
  });

  it('an unreachable database fires the backup unit critical, never as upkeep’s error, and shows no password', async () => {
    const [unit] = await runNow('shop/gone.backup');
    assert.equal(unit?.lastOutcome, 'critical');
    assert.equal(unit?.alert.state, 'firing');
    assert.match(unit?.alert.lastSummary ?? '', /^backup failed: .*unreachable/);
    const [run] = await store.listRuns({ unitId: 'shop/gone.backup', limit: 1 });
    assert.ok(!JSON.stringify(run).includes('pw-not-shown'));
  });
});
